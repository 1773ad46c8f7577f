package org.qins.api;

/**
 * A {@link WeightFormat} that can also encode with calibration statistics: it chooses the stored
 * values to lower the layer's output error over the calibration inputs,
 * {@code tr((W - Q) H (W - Q)^T)}, rather than the weight error alone. What it writes is an
 * ordinary weight of the format (same parts, same decoding). Optional: the converter refuses
 * {@code --calibrate} for a format that does not implement it, naming the format.
 */
public interface CalibratedEncoding {

    /**
     * Encodes a float weight ({@code spec}-shaped) as {@link WeightFormat#encode} does, using
     * {@code inputs}, the statistics of the layer's inputs ({@code inputs.inFeatures()} equals
     * {@code spec.inFeatures()}). Options the calibrated encoding cannot honour are refused.
     */
    StoredWeight encodeCalibrated(LayerSpec spec, TensorView weight, Options options, InputStatistics inputs);

    /**
     * Refuses, before calibration runs or any weight is read, options the calibrated encoding cannot
     * honour (an {@link IllegalArgumentException} that says why). The default accepts every option.
     */
    default void checkCalibrated(Options options) {
    }
}
