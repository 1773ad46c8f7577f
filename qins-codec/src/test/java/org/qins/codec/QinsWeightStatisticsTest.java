package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qins.api.LayerSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;
import org.qins.api.WeightStatistics;

/** {@link QinsWeightFormat#statistics}: counts of the reserved and end codes, and the code histogram, from weights whose codes are known. */
class QinsWeightStatisticsTest {

    static final LayerSpec SPEC = new LayerSpec("model.layers.0.mlp.up_proj", 2, 64);

    /**
     * Four blocks of 32, each with: its largest magnitude 1.0 once (code 1 with fit=max and f32 scales), an exact zero and
     * a weight far below the range (code 0), the range's floor and a weight between half the floor and the floor (the
     * largest code: the nearer of zero and the floor), and 27 weights inside the range. Every other block is negated, so
     * the qins8 sign bit is set on some of them.
     */
    static float[] weights(double widthOctaves) {
        float floor = (float) Math.pow(2, -widthOctaves);
        float[] w = new float[SPEC.outFeatures() * SPEC.inFeatures()];
        for (int block = 0; block < 4; block++) {
            float sign = block % 2 == 0 ? 1f : -1f;
            int o = block * 32;
            w[o] = sign;
            w[o + 1] = 0f;
            w[o + 2] = sign * 1e-6f;
            w[o + 3] = sign * floor;
            w[o + 4] = sign * floor * 0.75f;
            for (int i = 5; i < 32; i++) {
                w[o + i] = sign * (0.05f + 0.025f * i); // 0.175 .. 0.825: inside the range, at least a code below the top
            }
        }
        return w;
    }

    static WeightStatistics statistics(String layout, double width) {
        QinsWeightFormat format = (QinsWeightFormat) WeightFormat.forName(layout);
        Options options = Options.of(layout, format.options(), Map.of("fit", "max", "scales", "f32"));
        StoredWeight stored = format.encode(SPEC, TensorView.ofFloats(SPEC.name() + ".weight", weights(width), 2, 64), options);
        return format.statistics(SPEC, stored);
    }

    @Test
    void qins9CountsZeroTopAndBottomCodes() {
        WeightStatistics s = statistics("qins9", QinsFormat.WIDTH_QINS9);
        assertThat(s.weights()).isEqualTo(128);
        assertThat(s.counts()).containsExactly(Map.entry("zero code (0)", 8L), Map.entry("top code (1)", 4L),
                Map.entry("bottom code (255)", 8L));
        long[] h = s.histogram(QinsWeightFormat.CODES_HISTOGRAM);
        assertThat(h).hasSize(256);
        assertThat(java.util.Arrays.stream(h).sum()).isEqualTo(128);
        assertThat(h[0]).isEqualTo(8);
        assertThat(h[1]).isEqualTo(4);
        assertThat(h[255]).isEqualTo(8);
        assertThat(s.share("top code (1)")).isEqualTo(4 / 128.0);
    }

    @Test
    void qins8LeavesTheSignBitOutOfTheCode() {
        WeightStatistics s = statistics("qins8", QinsFormat.WIDTH_QINS8);
        assertThat(s.counts()).containsExactly(Map.entry("zero code (0)", 8L), Map.entry("top code (1)", 4L),
                Map.entry("bottom code (127)", 8L));
        long[] h = s.histogram(QinsWeightFormat.CODES_HISTOGRAM);
        assertThat(h).hasSize(128);
        assertThat(java.util.Arrays.stream(h).sum()).isEqualTo(128);
    }

    @Test
    void theCountsAreTheStoredCodeBytes() {
        QinsWeightFormat format = (QinsWeightFormat) WeightFormat.forName("qins9");
        float[] w = Weights.heavyTailed(7, 2 * 64, 0.02);
        StoredWeight stored = format.encode(SPEC, TensorView.ofFloats("w", w, 2, 64), Options.none());
        long[] expected = new long[256];
        for (byte c : stored.part(QinsTensor.CODES).toByteArray()) {
            expected[c & 0xFF]++;
        }
        WeightStatistics s = format.statistics(SPEC, stored);
        assertThat(s.histogram(QinsWeightFormat.CODES_HISTOGRAM)).containsExactly(expected);
        assertThat(s.counts().get("zero code (0)")).isEqualTo(expected[0]);
        assertThat(s.counts().get("top code (1)")).isEqualTo(expected[1]).isPositive();
    }
}
