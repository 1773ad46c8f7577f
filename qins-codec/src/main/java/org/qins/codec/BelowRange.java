package org.qins.codec;

import java.util.Locale;

/**
 * What the encoder does with a non-zero weight below the group's range (only the clipped and mse
 * policies have such weights). Decoding does not depend on it: code 0 decodes to 0, the largest
 * code to {@code exp(log_min)}.
 *
 * <p>{@link #NEAREST} is the default: it picks whichever of the two is closer in value, so its
 * error is never larger than either alternative's ({@code CodecDefaultsMeasurementTest} measures it).
 */
public enum BelowRange {
    /** Reserved zero code: decodes to 0. */
    ZERO,
    /** Smallest magnitude code: decodes to {@code exp(log_min)}. */
    CLAMP,
    /** Zero below {@code exp(log_min)/2}, the smallest code from there up. */
    NEAREST;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BelowRange fromId(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("below-range rule must be zero, clamp or nearest, got '" + s + "'");
        }
    }

    /** True if a weight of magnitude {@code a} below the range keeps the smallest code (else zero). */
    boolean keeps(double a, double minMagnitude) {
        return switch (this) {
            case ZERO -> false;
            case CLAMP -> true;
            case NEAREST -> a >= 0.5 * minMagnitude;
        };
    }
}
