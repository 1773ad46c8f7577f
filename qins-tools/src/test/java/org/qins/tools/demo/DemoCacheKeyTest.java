package org.qins.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.qins.api.LayerSpec;
import org.qins.api.OptionSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;

/**
 * The demo's converted model is cached under a name that changes with the format's defaults: a cache converted under
 * an older default (the scale fit was max before it became mse) must not be scored as if it were the current one.
 */
class DemoCacheKeyTest {

    private static WeightFormat format(String name, List<OptionSpec> options) {
        return new WeightFormat() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return "test format";
            }

            @Override
            public List<OptionSpec> options() {
                return options;
            }

            @Override
            public StoredWeight encode(LayerSpec spec, TensorView weight, Options options) {
                throw new UnsupportedOperationException();
            }

            @Override
            public TensorView decode(LayerSpec spec, StoredWeight stored) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void theKeyNamesTheFormatAndChangesWithADefault() {
        OptionSpec group = OptionSpec.integer("group", 32, "weights per scale");
        OptionSpec fitMse = OptionSpec.choice("fit", "mse", "scale fit", "max", "mse");
        OptionSpec fitMax = OptionSpec.choice("fit", "max", "scale fit", "max", "mse");
        String current = Demo.conversionKey(format("qins9", List.of(group, fitMse)));
        assertThat(current).matches("qins9-[0-9a-f]{8}");
        assertThat(Demo.conversionKey(format("qins9", List.of(fitMse, group)))).as("order of the options").isEqualTo(current);
        assertThat(Demo.conversionKey(format("qins9", List.of(group, fitMax)))).as("another default").isNotEqualTo(current);
        assertThat(Demo.conversionKey(format("qins8", List.of(group, fitMse)))).startsWith("qins8-");
    }
}
