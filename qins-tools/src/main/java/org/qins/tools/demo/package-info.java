/**
 * {@code qins demo}: a small deterministic model, converted to QINS, run as float, Pattern A and
 * legacy side by side.
 */
package org.qins.tools.demo;
