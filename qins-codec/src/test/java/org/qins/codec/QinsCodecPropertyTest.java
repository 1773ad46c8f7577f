package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class QinsCodecPropertyTest {

    static final int ROWS = 6;
    static final int COLS = 80; // not a multiple of 32: partial last block

    static Stream<Arguments> formats() {
        List<Arguments> a = new ArrayList<>();
        for (QinsLayout layout : QinsLayout.values()) {
            for (RangePolicy policy : RangePolicy.values()) {
                List<Grouping> groups = layout == QinsLayout.QINS8_SEED ? List.of(Grouping.TENSOR)
                        : List.of(Grouping.TENSOR, Grouping.ROW, Grouping.block(32), Grouping.block(16));
                for (Grouping g : groups) {
                    QinsFormat f = new QinsFormat(layout, g, policy, QinsFormat.defaultWidth(layout), BelowRange.NEAREST);
                    a.add(Arguments.of(f));
                    if (policy == RangePolicy.CLIPPED) {
                        a.add(Arguments.of(f.withFit(ScaleFit.MSE)));
                    }
                }
            }
        }
        return a.stream();
    }

    @ParameterizedTest
    @MethodSource("formats")
    void randomAndAdversarialWeightsKeepSignOrderAndHalfStepError(QinsFormat format) {
        for (long seed = 0; seed < 20; seed++) {
            float[] w = seed % 2 == 0 ? Weights.heavyTailed(seed, ROWS * COLS, 0.02) : Weights.adversarial(seed, ROWS * COLS);
            checkProperties(QinsCodec.encode("t", w, ROWS, COLS, format), w);
        }
    }

    /** The properties every encoding must have, checked group by group. */
    static void checkProperties(QinsTensor t, float[] w) {
        float[] d = QinsCodec.decode(t);
        int mask = t.format.layout().signInCode() ? 0x7F : 0xFF;
        for (int r = 0; r < t.rows; r++) {
            for (int i = 0; i < t.cols; i++) {
                int k = r * t.cols + i;
                long ri = t.rangeIndex(r, i);
                double step = t.stepAt(ri);
                double logMax = Math.log(t.scaleAt(ri));
                double logMin = logMax - step * t.format.layout().steps();
                double a = Math.abs(w[k]);
                int code = t.codes.get(ValueLayout.JAVA_BYTE, k) & mask;
                if (w[k] == 0) {
                    assertThat(d[k]).as("zero at %d", k).isEqualTo(0f);
                    assertThat(code).isZero();
                    continue;
                }
                // Sign kept (a weight may only vanish when it is below the range).
                if (d[k] != 0) {
                    assertThat(Math.signum(d[k])).as("sign at %d", k).isEqualTo(Math.signum(w[k]));
                } else {
                    // Below the range, or a denormal whose decoded product underflows.
                    assertThat(Math.log(a) < logMin + 1e-6 || a < 1e-44).as("only below-range weights vanish, at %d", k).isTrue();
                }
                // Inside the range: within half a log step (the decoded value's float rounding aside); rounding
                // in value (mse fit) moves the boundary to the arithmetic mean, step^2/8 further, and a weight
                // above a fitted scale saturates within one step.
                if (Math.log(a) >= logMin && Math.abs(d[k]) >= Float.MIN_NORMAL) {
                    boolean fitted = t.format.fit() == ScaleFit.MSE;
                    double bound = fitted && Math.log(a) > logMax ? step : fitted ? step / 2 + step * step / 8 : step / 2;
                    assertThat(Math.abs(Math.log(Math.abs(d[k])) - Math.log(a))).as("log error at %d (%s)", k, t.format)
                            .isLessThanOrEqualTo(bound + 1e-6);
                }
            }
            // Within each group: monotone decode, inverse code map (larger |w| -> smaller or equal code).
            for (int g0 = 0; g0 < t.cols; g0 += t.groupLength) {
                int end = Math.min(t.cols, g0 + t.groupLength);
                for (int i = g0; i < end; i++) {
                    for (int j = g0; j < end; j++) {
                        int ki = r * t.cols + i;
                        int kj = r * t.cols + j;
                        if (Math.abs(w[ki]) > Math.abs(w[kj])) {
                            assertThat(Math.abs(d[ki])).isGreaterThanOrEqualTo(Math.abs(d[kj]));
                            int ci = t.codes.get(ValueLayout.JAVA_BYTE, ki) & mask;
                            int cj = t.codes.get(ValueLayout.JAVA_BYTE, kj) & mask;
                            if (cj != 0) {
                                assertThat(ci).as("inverse map: larger |w| gets the smaller code").isLessThanOrEqualTo(cj);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void largestMagnitudeGetsCodeOneAndSmallestTheTopCode() {
        float[] w = {0.5f, -0.25f, 0.001f, -0.1f};
        for (QinsLayout layout : QinsLayout.values()) {
            QinsFormat f = new QinsFormat(layout, Grouping.TENSOR, RangePolicy.MINMAX, 0, BelowRange.NEAREST);
            QinsTensor t = QinsCodec.encode("t", w, 1, 4, f);
            int mask = layout.signInCode() ? 0x7F : 0xFF;
            assertThat(t.codes.get(ValueLayout.JAVA_BYTE, 0) & mask).isEqualTo(1);
            assertThat(t.codes.get(ValueLayout.JAVA_BYTE, 2) & mask).isEqualTo(layout.maxCode());
            float[] d = QinsCodec.decode(t);
            assertThat(d[0]).isEqualTo(0.5f); // the scale is the largest weight: exact
            assertThat(d[2]).isCloseTo(0.001f, org.assertj.core.data.Percentage.withPercentage(1e-4));
        }
    }

    @Test
    void exactCasesRoundTripExactly() {
        // fp16 scales round the largest magnitude up, so exactness is checked with F32 scales.
        for (QinsFormat f : formats().map(a -> ((QinsFormat) a.get()[0]).withF16Scales(false)).toList()) {
            // One distinct magnitude (log_max == log_min), with signs and zeros.
            float[] single = {0.0371f, -0.0371f, 0f, 0.0371f, -0.0371f, 0f, 0.0371f, 0.0371f};
            assertThat(QinsCodec.decode(QinsCodec.encode("t", single, 1, 8, f))).as(f.toString()).containsExactly(single);
            // All zeros.
            float[] zeros = new float[16];
            assertThat(QinsCodec.decode(QinsCodec.encode("t", zeros, 2, 8, f))).containsExactly(zeros);
            // Denormals: a single denormal magnitude, and the smallest float.
            float[] den = {Float.MIN_VALUE * 3, -Float.MIN_VALUE * 3, 0f, Float.MIN_VALUE * 3};
            assertThat(QinsCodec.decode(QinsCodec.encode("t", den, 1, 4, f))).as(f.toString()).containsExactly(den);
        }
    }

    @Test
    void nonFiniteWeightsAreRejectedNamingTheTensor() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] w = {0.1f, 0.2f, bad, 0.3f};
            for (QinsFormat f : List.of(QinsFormat.DEFAULTS, QinsFormat.SEED)) {
                assertThatThrownBy(() -> QinsCodec.encode("model.layers.3.mlp.up_proj", w, 1, 4, f))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("model.layers.3.mlp.up_proj").hasMessageContaining("index 2");
            }
        }
    }

    @Test
    void clippedBelowRangeRulesAreOrderedByError() {
        float[] w = Weights.heavyTailed(7, 64 * 256, 0.02);
        double zero = 0;
        double clamp = 0;
        double nearest = 0;
        for (BelowRange b : BelowRange.values()) {
            QinsFormat f = new QinsFormat(QinsLayout.QINS8, Grouping.block(32), RangePolicy.CLIPPED, 3, b);
            double e = CodecDefaultsMeasurementTest.relativeError(w, QinsCodec.decode(QinsCodec.encode("t", w, 64, 256, f)));
            switch (b) {
                case ZERO -> zero = e;
                case CLAMP -> clamp = e;
                case NEAREST -> nearest = e;
            }
        }
        assertThat(nearest).isLessThanOrEqualTo(zero).isLessThanOrEqualTo(clamp + 1e-12);
    }
}
