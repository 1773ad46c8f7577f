package org.qins.api;

/**
 * A linear layer without bias: {@code y = W x} for each of {@code batch} input vectors.
 * Implementations decide how {@code W} is stored and decoded; callers see floats only.
 * A layer is safe to call from one thread at a time; it may use the {@link Parallel} it was
 * built with internally.
 */
public interface LinearLayer {

    LayerSpec spec();

    /**
     * Computes {@code output[b*out + o] = sum_i W[o][i] * input[b*in + i]} for {@code b < batch}.
     * Overwrites the first {@code batch * outFeatures} elements of {@code output}.
     */
    void forward(float[] input, float[] output, int batch);

    /** Bytes this layer keeps resident for its weight (codes, ranges, any decoded cache). */
    long residentBytes();

    /** A short human-readable description (format and options). */
    String describe();
}
