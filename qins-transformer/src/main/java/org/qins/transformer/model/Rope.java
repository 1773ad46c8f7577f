package org.qins.transformer.model;

import org.qins.transformer.config.RopeConfig;

/**
 * Rotary position embedding, HF layout (rotate-half over the first {@code rotaryDim} elements of a
 * head). Frequencies are computed in float32 the way transformers does ({@code 1 / (ext * theta^(2j/d))}),
 * so that angles at long positions round the same way. LongRoPE picks short or long factors per
 * forward call from the call's largest position, as HF does; cached keys keep their rotation.
 */
public final class Rope {

    private final RopeConfig config;
    private final int half;
    private final float[] invFreq;
    private final float[] invFreqLong;
    private final float scaling;

    public Rope(RopeConfig config) {
        this.config = config;
        this.half = config.rotaryDim() / 2;
        this.invFreq = inverseFrequencies(config, config.isLongRope() ? config.shortFactor() : null);
        this.invFreqLong = config.isLongRope() ? inverseFrequencies(config, config.longFactor()) : invFreq;
        this.scaling = (float) config.attentionFactor();
    }

    /** {@code 1 / (ext[j] * theta^(2j/d))} in float32, ext = 1 when null. */
    static float[] inverseFrequencies(RopeConfig c, float[] ext) {
        int d = c.rotaryDim();
        float[] f = new float[d / 2];
        float base = (float) c.theta();
        for (int j = 0; j < f.length; j++) {
            float exponent = (float) (2 * j) / (float) d;
            float pow = (float) Math.pow(base, exponent);
            f[j] = 1.0f / (ext == null ? pow : ext[j] * pow);
        }
        return f;
    }

    public RopeConfig config() {
        return config;
    }

    /** The inverse frequencies used by a forward call whose largest position is {@code maxPosition}. */
    public float[] frequenciesFor(int maxPosition) {
        float[] ext = config.extFactors(maxPosition);
        return ext == null || ext == config.shortFactor() ? invFreq : invFreqLong;
    }

    /** The attention factor multiplying cos and sin (1 unless LongRoPE). */
    public float scaling() {
        return scaling;
    }

    /**
     * Rotates {@code heads} consecutive heads of {@code headDim} floats starting at {@code off} for
     * one token at {@code position}, with frequencies {@code freq} (from {@link #frequenciesFor}).
     */
    public void apply(float[] x, int off, int heads, int headDim, int position, float[] freq) {
        float pos = position;
        for (int j = 0; j < half; j++) {
            float angle = freq[j] * pos;
            float cos = (float) Math.cos(angle) * scaling;
            float sin = (float) Math.sin(angle) * scaling;
            for (int h = 0; h < heads; h++) {
                int i = off + h * headDim + j;
                float x1 = x[i];
                float x2 = x[i + half];
                x[i] = x1 * cos - x2 * sin;
                x[i + half] = x2 * cos + x1 * sin;
            }
        }
    }
}
