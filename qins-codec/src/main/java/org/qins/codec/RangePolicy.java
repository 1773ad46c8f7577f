package org.qins.codec;

import java.util.Locale;

/**
 * How a group's {@code log_min} is chosen; {@code log_max} is always {@code ln max|w|} (rounded
 * up when the scale is stored in fp16).
 */
public enum RangePolicy {
    /** The original: {@code log_min = ln min|w|} over the non-zero weights. */
    MINMAX,
    /**
     * A fixed width below {@code log_max}: {@code log_min = log_max - W ln 2}. Every group then has
     * the same log step, so decoding is a per-group scale times one shared table entry; a width
     * with a power-of-two number of codes per octave turns that table into exponent + mantissa.
     */
    CLIPPED,
    /** Searches the {@code log_min} (between the minmax one and a 1/4 octave range) minimising squared error. */
    MSE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RangePolicy fromId(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("range policy must be minmax, clipped or mse, got '" + s + "'");
        }
    }

    /** True when every group shares one width (stored once in metadata rather than per group). */
    public boolean sharedWidth() {
        return this == CLIPPED;
    }
}
