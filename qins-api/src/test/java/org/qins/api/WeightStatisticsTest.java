package org.qins.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightStatisticsTest {

    /** A format that describes nothing: the SPI's default. */
    static final WeightFormat PLAIN = new WeightFormat() {
        public String name() {
            return "plain";
        }

        public String description() {
            return "test";
        }

        public StoredWeight encode(LayerSpec spec, TensorView weight, Options options) {
            return StoredWeight.ofFloat(spec.name(), weight);
        }

        public TensorView decode(LayerSpec spec, StoredWeight stored) {
            return stored.part(StoredWeight.WEIGHT);
        }
    };

    @Test
    void aFormatDescribesNothingByDefault() {
        LayerSpec spec = new LayerSpec("w", 3, 4);
        StoredWeight stored = StoredWeight.ofFloat("w", TensorView.ofFloats("w.weight", new float[12], 3, 4));
        WeightStatistics s = PLAIN.statistics(spec, stored);
        assertThat(s.isEmpty()).isTrue();
        assertThat(s.weights()).isEqualTo(12);
        assertThat(s.share("zero code")).isNaN();
        assertThat(s.histogram("codes")).isNull();
    }

    @Test
    void keepsTheCountsInOrderAndCopiesTheHistograms() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("zero", 2L);
        counts.put("alpha", 1L);
        long[] h = {2, 7, 1};
        WeightStatistics s = new WeightStatistics(10, counts, Map.of("codes", h));
        h[0] = 99;
        assertThat(s.counts().keySet()).containsExactly("zero", "alpha");
        assertThat(s.share("zero")).isEqualTo(0.2);
        long[] copy = s.histogram("codes");
        copy[1] = 0;
        assertThat(s.histogram("codes")).containsExactly(2, 7, 1);
    }

    @Test
    void refusesACountAboveTheWeights() {
        assertThatThrownBy(() -> new WeightStatistics(4, Map.of("zero", 5L), Map.of()))
                .hasMessageContaining("count 'zero' is 5, outside [0, 4]");
    }
}
