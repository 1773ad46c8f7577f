package org.qins.transformer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.qins.transformer.config.RopeConfig;
import org.qins.transformer.config.RopeScaling;

class RopeTest {

    private static final float[] SHORT = {1.0011f, 1.0188f, 1.05f, 1.1158f};
    private static final float[] LONG = {1.0014f, 1.6016f, 2.7265f, 4.0891f};
    // head dim 8, original 256, max 1024: attention factor sqrt(1 + ln 4 / ln 256) = sqrt(1.25)
    private static final RopeConfig LONGROPE = new RopeConfig(10000, 8, RopeConfig.longRopeAttentionFactor(1024, 256),
            new RopeScaling.LongRope(SHORT, LONG, 256));

    @Test
    void longRopeUsesShortFactorsUpToTheOriginalLengthThenLong() {
        Rope rope = new Rope(LONGROPE);
        float[] atEnd = rope.frequenciesFor(255); // sequence length 256 <= 256
        float[] past = rope.frequenciesFor(256);  // 257 > 256
        for (int j = 0; j < 4; j++) {
            double base = Math.pow(10000, 2.0 * j / 8);
            assertThat((double) atEnd[j]).isCloseTo(1 / (SHORT[j] * base), within(1e-6 / base));
            assertThat((double) past[j]).isCloseTo(1 / (LONG[j] * base), within(1e-6 / base));
        }
    }

    @Test
    void cosAndSinAreScaledByTheAttentionFactor() {
        Rope rope = new Rope(LONGROPE);
        assertThat((double) rope.scaling()).isCloseTo(1.1180340, within(1e-6));
        // Position 0: no rotation, only the factor.
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        rope.apply(x, 0, 1, 8, 0, rope.frequenciesFor(0));
        for (int i = 0; i < 8; i++) {
            assertThat((double) x[i]).isCloseTo((i + 1) * Math.sqrt(1.25), within(1e-5));
        }
    }

    @Test
    void rotatesHalvesAsTransformersDoes() {
        RopeConfig c = RopeConfig.standard(10000, 8);
        Rope rope = new Rope(c);
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        float[] orig = x.clone();
        int pos = 7;
        rope.apply(x, 0, 1, 8, pos, rope.frequenciesFor(pos));
        for (int j = 0; j < 4; j++) {
            double a = pos / Math.pow(10000, 2.0 * j / 8);
            // q' = q cos + rotate_half(q) sin, rotate_half([a, b]) = [-b, a]
            assertThat((double) x[j]).isCloseTo(orig[j] * Math.cos(a) - orig[j + 4] * Math.sin(a), within(1e-5));
            assertThat((double) x[j + 4]).isCloseTo(orig[j + 4] * Math.cos(a) + orig[j] * Math.sin(a), within(1e-5));
        }
    }

    @Test
    void partialRotaryLeavesTheTailAlone() {
        Rope rope = new Rope(RopeConfig.standard(10000, 4));
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        rope.apply(x, 0, 1, 8, 3, rope.frequenciesFor(3));
        assertThat(x).endsWith(5, 6, 7, 8);
        assertThat(x[0]).isNotEqualTo(1f);
    }

    @Test
    void linearDividesEveryFrequency() {
        Rope plain = new Rope(RopeConfig.standard(10000, 8));
        Rope linear = new Rope(new RopeConfig(10000, 8, 1.0, new RopeScaling.Linear(4.0)));
        for (int j = 0; j < 4; j++) {
            assertThat(linear.frequenciesFor(5000)[j]).isEqualTo(plain.frequenciesFor(0)[j] / 4f);
        }
    }

    /**
     * Llama 3.2's settings (theta 5e5, factor 32, low 1, high 4, original 8192) on head dim 32: wavelengths
     * 2 pi theta^(2j/32) above 8192 are divided by 32, below 2048 kept, j = 8 (wavelength ~ 4.0e3) interpolated.
     */
    @Test
    void llama3ScalesLongWavelengthsAndSmoothsTheMiddle() {
        RopeScaling.Llama3 p = new RopeScaling.Llama3(32, 1, 4, 8192);
        Rope rope = new Rope(new RopeConfig(500000, 32, 1.0, p));
        float[] f = rope.frequenciesFor(0);
        assertThat(rope.frequenciesFor(100000)).isSameAs(f); // static: the same at every length
        int medium = 0;
        for (int j = 0; j < 16; j++) {
            double inv = 1 / Math.pow(500000, 2.0 * j / 32);
            double wavelength = 2 * Math.PI / inv;
            double expected;
            if (wavelength < 2048) {
                expected = inv;
            } else if (wavelength > 8192) {
                expected = inv / 32;
            } else {
                double s = (8192 / wavelength - 1) / (4 - 1);
                expected = (1 - s) * inv / 32 + s * inv;
                medium++;
            }
            assertThat((double) f[j]).as("j=%d", j).isCloseTo(expected, within(expected * 1e-6));
        }
        assertThat(medium).isEqualTo(1);
    }
}
