package org.qins.transformer.calibrate;

/** Progress of a calibration pass; the CLI prints it on stderr. */
public interface CalibrationListener {

    CalibrationListener NONE = new CalibrationListener() {
    };

    /** Called once: the samples (pieces of text) to run and the tokens in them. */
    default void started(int samples, long tokens) {
    }

    /** Called after each sample, with the tokens run so far. */
    default void sampleDone(int sample, long tokensSoFar) {
    }
}
