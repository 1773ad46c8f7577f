package org.qins.tools.validate;

import java.util.List;

/** The three prompts of the reference fixtures ({@code [1]}, {@code [1,5,9,33]} and a 40-id prompt). */
public final class StandardPrompts {

    private static final int[] LONG = {1, 181, 234, 9, 222, 141, 301, 12, 21, 151, 221, 26, 295, 228, 153, 20, 110, 212, 193, 244,
        234, 254, 38, 314, 37, 117, 205, 63, 16, 172, 18, 269, 104, 208, 69, 61, 249, 58, 255, 45};

    /** Steps per prompt when none are given. */
    public static final int DEFAULT_STEPS = 64;

    private StandardPrompts() {
    }

    /** The three prompts, every id taken modulo {@code vocab} so that they fit any vocabulary. */
    public static List<int[]> forVocab(int vocab) {
        return List.of(clip(new int[] {1}, vocab), clip(new int[] {1, 5, 9, 33}, vocab), clip(LONG, vocab));
    }

    private static int[] clip(int[] ids, int vocab) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i] % vocab;
        }
        return out;
    }
}
