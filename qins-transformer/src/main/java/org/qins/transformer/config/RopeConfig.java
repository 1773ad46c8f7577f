package org.qins.transformer.config;

/**
 * Rotary position embedding parameters, resolved from either config style.
 *
 * @param theta           base of the frequencies
 * @param rotaryDim       leading elements of each head that are rotated (head_dim x partial_rotary_factor)
 * @param attentionFactor multiplier of cos and sin (1 but for LongRoPE)
 * @param scaling         the rope type and its parameters
 */
public record RopeConfig(double theta, int rotaryDim, double attentionFactor, RopeScaling scaling) {

    public static RopeConfig standard(double theta, int rotaryDim) {
        return new RopeConfig(theta, rotaryDim, 1.0, new RopeScaling.None());
    }

    /** transformers' {@code rope_type}: default, linear, llama3 or longrope. */
    public String type() {
        return scaling.type();
    }

    /** LongRoPE's default attention factor: {@code sqrt(1 + ln(s)/ln(originalMax))}, s = max/originalMax, 1 if s <= 1. */
    public static double longRopeAttentionFactor(int maxPositions, int originalMax) {
        double s = (double) maxPositions / originalMax;
        return s <= 1.0 ? 1.0 : Math.sqrt(1 + Math.log(s) / Math.log(originalMax));
    }
}
