package org.qins.transformer.config;

/**
 * Rotary position embedding parameters, resolved from either config style.
 *
 * @param type            {@code default} or {@code longrope}
 * @param theta           base of the frequencies
 * @param rotaryDim       leading elements of each head that are rotated (head_dim x partial_rotary_factor)
 * @param shortFactor     LongRoPE per-frequency divisors used while the sequence fits {@code originalMax}; null for default
 * @param longFactor      LongRoPE divisors used beyond {@code originalMax}; null for default
 * @param originalMax     LongRoPE switch point ({@code original_max_position_embeddings}); 0 for default
 * @param attentionFactor multiplier of cos and sin (1 for default)
 */
public record RopeConfig(String type, double theta, int rotaryDim, float[] shortFactor, float[] longFactor, int originalMax,
        double attentionFactor) {

    public static final String DEFAULT = "default";
    public static final String LONGROPE = "longrope";

    public static RopeConfig standard(double theta, int rotaryDim) {
        return new RopeConfig(DEFAULT, theta, rotaryDim, null, null, 0, 1.0);
    }

    public boolean isLongRope() {
        return LONGROPE.equals(type);
    }

    /**
     * The frequency divisors for a forward call whose largest position is {@code maxPosition}
     * (HF: {@code seq_len = max(position_ids) + 1}; long factors once it exceeds original_max). Null for default RoPE.
     */
    public float[] extFactors(int maxPosition) {
        if (!isLongRope()) {
            return null;
        }
        return maxPosition + 1 > originalMax ? longFactor : shortFactor;
    }

    /** LongRoPE's default attention factor: {@code sqrt(1 + ln(s)/ln(originalMax))}, s = max/originalMax, 1 if s <= 1. */
    public static double longRopeAttentionFactor(int maxPositions, int originalMax) {
        double s = (double) maxPositions / originalMax;
        return s <= 1.0 ? 1.0 : Math.sqrt(1 + Math.log(s) / Math.log(originalMax));
    }
}
