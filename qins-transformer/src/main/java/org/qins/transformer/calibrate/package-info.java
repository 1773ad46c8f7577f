/**
 * The calibration pass (issue 15): the float model runs over calibration text (the user's, or
 * samples it generates itself from BOS) while every block linear's input second moments
 * {@code H = sum x x^T} are summed, one {@link org.qins.api.InputStatistics} per distinct input.
 * A format that implements {@link org.qins.api.CalibratedEncoding} encodes with them; this
 * package never sees a QINS type.
 */
package org.qins.transformer.calibrate;
