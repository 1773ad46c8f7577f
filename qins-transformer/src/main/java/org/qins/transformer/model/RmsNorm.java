package org.qins.transformer.model;

import org.qins.api.kernel.VectorMath;

/** {@code x * rsqrt(mean(x^2) + eps) * w} in float32, as HF's LlamaRMSNorm / Phi3RMSNorm. */
public final class RmsNorm {

    private final float[] weight;
    private final float eps;

    public RmsNorm(float[] weight, float eps) {
        this.weight = weight;
        this.eps = eps;
    }

    /** Normalises {@code rows} rows of {@code weight.length} floats from {@code in} into {@code out}. */
    public void apply(float[] in, float[] out, int rows) {
        for (int r = 0; r < rows; r++) {
            applyRow(in, r * weight.length, out, r * weight.length);
        }
    }

    /** Normalises one row at {@code inOff} into {@code out} at {@code outOff}. */
    public void applyRow(float[] in, int inOff, float[] out, int outOff) {
        int n = weight.length;
        float mean = VectorMath.dot(in, inOff, in, inOff, n) / n;
        float inv = (float) (1.0 / Math.sqrt(mean + eps));
        for (int i = 0; i < n; i++) {
            out[outOff + i] = weight[i] * (in[inOff + i] * inv);
        }
    }
}
