package org.qins.codec;

import java.util.Locale;

/**
 * Picks the kernel for a tensor. System property {@value #PROPERTY}: {@code auto} (default: the
 * table kernel where the format allows, else tiled vector), {@code vector} (same as auto),
 * {@code scalar} (the portable scalar path, for testing and for CPUs without a usable Vector API).
 */
final class QinsKernels {

    static final String PROPERTY = "qins.kernel";

    private QinsKernels() {
    }

    static QinsKernel select(QinsTensor t) {
        return select(t, System.getProperty(PROPERTY, "auto"));
    }

    static QinsKernel select(QinsTensor t, String mode) {
        switch (mode.trim().toLowerCase(Locale.ROOT)) {
            case "scalar":
                return new ScalarKernel(t);
            case "auto", "vector":
                if (LutVectorKernel.supports(t)) {
                    return t.format.layout().signInCode() ? new Qins8VectorKernel(t) : new Qins9VectorKernel(t);
                }
                return new TiledVectorKernel(t);
            default:
                throw new IllegalArgumentException(PROPERTY + " must be auto, vector or scalar, got '" + mode + "'");
        }
    }
}
