package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.qins.api.DType;
import org.qins.api.Options;
import org.qins.api.Parallel;
import org.qins.api.WeightFormat;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

class QinsLinearProviderTest {

    static final LayerSpec SPEC = new LayerSpec("model.layers.0.mlp.down_proj", 24, 96);
    final QinsLinearProvider provider = new QinsLinearProvider();
    final float[] w = W;
    final TensorView weight = TensorView.ofFloats(SPEC.name() + ".weight", w, 24, 96);

    @Test
    void registeredUnderItsNameAndPriority() {
        assertThat(ServiceLoader.load(LinearLayerProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("qins")).findFirst()).get().satisfies(p -> assertThat(p.priority()).isEqualTo(30));
        for (String f : new String[] {"qins9", "qins8", "qins8-seed", "f32", "f16", "bf16"}) {
            assertThat(provider.supports(f)).isTrue();
        }
        assertThat(provider.supports("q8_0")).isFalse();
        assertThat(provider.preferredFormat()).isEqualTo("qins9");
        for (String f : new String[] {"qins9", "qins8", "qins8-seed"}) {
            assertThat(WeightFormat.forName(f)).isInstanceOf(QinsWeightFormat.class);
        }
    }

    /** Encodes through the named format with the given options, as the converter does. */
    static StoredWeight encode(Map<String, String> options) {
        Map<String, String> o = new java.util.HashMap<>(options);
        String layout = o.remove("layout");
        WeightFormat f = WeightFormat.forName(layout == null ? "qins9" : layout);
        return f.encode(SPEC, TensorView.ofFloats(SPEC.name() + ".weight", W, 24, 96), Options.of(f.name(), f.options(), o));
    }

    static final float[] W = Weights.heavyTailed(5, 24 * 96, 0.02);

    static LayerContext options(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new LayerContext(Parallel.SEQUENTIAL, Options.of("test", new QinsLinearProvider().options(), m));
    }

    @Test
    void encodeWritesNamedPartsAndMetadataForEveryLayout() {
        StoredWeight q9 = encode(Map.of());
        assertThat(q9.format()).isEqualTo("qins9");
        assertThat(q9.part("codes").dtype()).isEqualTo(DType.U8);
        assertThat(q9.part("codes").shape()).containsExactly(24, 96);
        assertThat(q9.part("signs").shape()).containsExactly(24, 12);
        assertThat(q9.part("scales").dtype()).isEqualTo(DType.F16);
        assertThat(q9.part("scales").shape()).containsExactly(24, 3);
        assertThat(q9.parts()).doesNotContainKey("widths");
        assertThat(q9.metadata()).containsEntry("qins.layout", "qins9").containsEntry("qins.version", "1")
                .containsEntry("qins.group", "32").containsEntry("qins.policy", "clipped").containsEntry("qins.width", "7.9375");
        assertThat(q9.byteSize()).isEqualTo(24 * 96 + 24 * 12 + 24 * 3 * 2); // 1.1875 B/weight

        StoredWeight seed = encode(Map.of("layout", "qins8-seed"));
        assertThat(seed.part("signs").dtype()).isEqualTo(DType.I8);
        assertThat(seed.metadata()).containsEntry("qins.group", "tensor").containsEntry("qins.policy", "minmax");
        assertThat(seed.part("widths").shape()).containsExactly(1);

        StoredWeight q8 = encode(Map.of("layout", "qins8", "group", "row", "policy", "mse"));
        assertThat(q8.parts()).doesNotContainKey("signs");
        assertThat(q8.part("widths").shape()).containsExactly(24, 1);
        assertThat(q8.metadata()).containsEntry("qins.group", "row").containsEntry("qins.policy", "mse");
    }

    @Test
    void storedWeightsLoadAndDecodeToTheCodecsValues() {
        for (Map<String, String> opts : new Map[] {Map.of(), Map.of("layout", "qins8"), Map.of("layout", "qins8-seed"),
                Map.of("layout", "qins9", "group", "row", "policy", "minmax"), Map.of("policy", "clipped", "width", "6")}) {
            StoredWeight stored = encode(opts);
            QinsTensor t = QinsTensor.fromStored(SPEC, stored);
            float[] expected = QinsCodec.decode(t);
            TensorView decoded = WeightFormat.forName(stored.format()).decode(SPEC, stored);
            assertThat(decoded.dtype()).isEqualTo(DType.F32);
            assertThat(decoded.toFloatArray()).as(opts.toString()).containsExactly(expected);
            assertThat(CodecDefaultsMeasurementTest.relativeError(w, expected)).as(opts.toString()).isLessThan(0.03);
            LinearLayer layer = provider.load(SPEC, stored, LayerContext.sequential());
            float[] x = QinsLinearTest.input(1, 96);
            float[] y = new float[24];
            layer.forward(x, y, 1);
            QinsLinearTest.checkAgainstDecoded(t, x, y, 1);
        }
    }

    @Test
    void floatWeightsAreEncodedAtLoadWithTheDefaults() {
        LinearLayer layer = provider.load(SPEC, StoredWeight.ofFloat(SPEC.name(), weight), LayerContext.sequential());
        assertThat(layer.describe()).contains("qins9").contains("clipped");
        long index = QinsLinearTest.zeroIndexBytes(QinsCodec.encode(SPEC.name(), w, 24, 96, QinsFormat.DEFAULTS));
        assertThat(layer.residentBytes()).isEqualTo(24 * 96 + 24 * 12 + 24 * 3 * 2 + index);
    }

    @Test
    void errorsNameTheLayer() {
        assertThatThrownBy(() -> WeightFormat.forName("qins7"))
                .hasMessageContaining("qins7").hasMessageContaining("[qins8, qins8-seed, qins9]");
        assertThatThrownBy(() -> encode(Map.of("layout", "qins8-seed", "group", "32")))
                .hasMessageContaining(SPEC.name());
        assertThatThrownBy(() -> encode(Map.of("policy", "minmax", "width", "6")))
                .hasMessageContaining(SPEC.name()).hasMessageContaining("width");
        assertThatThrownBy(() -> encode(Map.of("widht", "6")))
                .hasMessageContaining("unknown option 'widht'").hasMessageContaining("width (number, default 7.9375)");
        StoredWeight q9 = encode(Map.of());
        StoredWeight noMeta = new StoredWeight(q9.name(), q9.format(), q9.parts(), Map.of());
        assertThatThrownBy(() -> provider.load(SPEC, noMeta, LayerContext.sequential())).hasMessageContaining(SPEC.name())
                .hasMessageContaining("qins.version");
        LayerSpec wrong = new LayerSpec(SPEC.name(), 24, 64);
        assertThatThrownBy(() -> provider.load(wrong, q9, LayerContext.sequential())).hasMessageContaining(SPEC.name())
                .hasMessageContaining("codes");
        float[] bad = w.clone();
        bad[7] = Float.NaN;
        WeightFormat q9f = WeightFormat.forName("qins9");
        assertThatThrownBy(() -> q9f.encode(SPEC, TensorView.ofFloats("x", bad, 24, 96), Options.none()))
                .hasMessageContaining(SPEC.name());
    }

    @Test
    void layerOptionsAreDeclaredCheckedAndHonoured() {
        StoredWeight q9 = encode(Map.of());
        assertThat(provider.load(SPEC, q9, options("kernel", "scalar")).describe()).contains("kernel=scalar");
        assertThat(provider.load(SPEC, q9, options("kernel", "tiled")).describe()).contains("kernel=tiled-vector");
        assertThat(provider.load(SPEC, q9, options("decoded-cache", "true")).describe()).contains("+decoded-cache");
        assertThatThrownBy(() -> options("decoded-cahce", "true")).hasMessageContaining("unknown option 'decoded-cahce'")
                .hasMessageContaining("decoded-cache (boolean, default false)").hasMessageContaining("kernel (auto|native|bf16|vector|table32|tiled|scalar");
        assertThatThrownBy(() -> options("decoded-cache", "maybe")).hasMessageContaining("decoded-cache")
                .hasMessageContaining("true or false");
        StoredWeight minmax = encode(Map.of("policy", "minmax"));
        assertThatThrownBy(() -> provider.load(SPEC, minmax, options("kernel", "table32"))).hasMessageContaining(SPEC.name())
                .hasMessageContaining("table32");
    }
}
