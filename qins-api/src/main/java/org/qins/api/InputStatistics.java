package org.qins.api;

/**
 * What calibration saw at a linear layer's input: the second-moment matrix {@code H = sum x x^T}
 * over the {@code samples} input vectors {@code x} the float model fed the layer while running
 * over calibration text. Layers that read the same input (q, k and v; gate and up) share one.
 * {@code H} is {@code inFeatures x inFeatures} doubles, row-major and symmetric: {@code 8 in^2}
 * bytes, held as given (not copied; nobody may change it).
 *
 * @param inFeatures the layer's input size
 * @param gram       {@code H}, row-major
 * @param samples    input vectors summed into {@code H}
 */
public record InputStatistics(int inFeatures, double[] gram, long samples) {

    public InputStatistics {
        if (inFeatures <= 0 || (long) inFeatures * inFeatures != gram.length) {
            throw new IllegalArgumentException("input statistics of " + inFeatures + " inputs need " + (long) inFeatures * inFeatures
                    + " entries, got " + gram.length);
        }
        if (samples <= 0) {
            throw new IllegalArgumentException("input statistics over " + samples + " samples: calibration saw no input");
        }
    }

    /** Bytes of {@code H} for a layer of {@code inFeatures} inputs. */
    public static long bytes(int inFeatures) {
        return 8L * inFeatures * inFeatures;
    }
}
