package org.qins.transformer.model;

import org.qins.transformer.config.RopeConfig;
import org.qins.transformer.config.RopeScaling;

/**
 * Rotary position embedding, HF layout (rotate-half over the first {@code rotaryDim} elements of a
 * head), with the frequencies of the config's rope type ({@link RopeFrequencies}). LongRoPE picks
 * short or long factors per forward call from the call's largest position, as HF does; cached keys
 * keep their rotation.
 */
public final class Rope {

    private final RopeConfig config;
    private final int half;
    private final float[] invFreq;
    /** LongRoPE's frequencies past {@link #switchAbove} positions; null otherwise. */
    private final float[] invFreqLong;
    private final int switchAbove;
    private final float scaling;

    public Rope(RopeConfig config) {
        this.config = config;
        this.half = config.rotaryDim() / 2;
        this.invFreq = RopeFrequencies.of(config);
        this.invFreqLong = RopeFrequencies.beyondOriginal(config);
        this.switchAbove = config.scaling() instanceof RopeScaling.LongRope l ? l.originalMax() : Integer.MAX_VALUE;
        this.scaling = (float) config.attentionFactor();
    }

    public RopeConfig config() {
        return config;
    }

    /** The inverse frequencies used by a forward call whose largest position is {@code maxPosition}. */
    public float[] frequenciesFor(int maxPosition) {
        return invFreqLong != null && maxPosition + 1 > switchAbove ? invFreqLong : invFreq;
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
