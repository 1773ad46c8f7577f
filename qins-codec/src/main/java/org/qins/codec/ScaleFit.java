package org.qins.codec;

import java.util.Locale;

/**
 * How a clipped group's scale ({@code exp(log_max)}) is chosen. Decoding never needs to know: the
 * stored scale is all it reads, so both fits load with the same kernels.
 */
public enum ScaleFit {
    /** The largest {@code |w|} of the group (rounded up to fp16): that weight decodes exactly. */
    MAX,
    /**
     * The scale within one code step either side of the largest {@code |w|} (every fp16 value
     * there, or 64 points per step for f32 scales) whose grid gives the group the least squared
     * error, each weight taking the code whose decoded value is nearest. The top weight may then
     * saturate at code 1 or round to code 2: shifting the grid by a fraction of a step trades its
     * error for the other weights'.
     */
    MSE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ScaleFit fromId(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scale fit must be max or mse, got '" + s + "'");
        }
    }
}
