package org.qins.it.hardening;

import org.qins.transformer.checkpoint.ModelCopy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.convert.ModelConverter;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.ModelLoader;
import org.qins.transformer.model.NonFiniteException;
import org.qins.transformer.parallel.WorkerPool;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;

/**
 * NaN, infinities and near-overflow values are refused at load and convert time naming the file
 * and tensor; weights that pass but overflow on an input stop generation naming the layer.
 */
class NonFiniteTest {

    static final Path TINY = Path.of(System.getProperty("qins.fixtures", "src/test/resources/fixtures"), "tiny-llama");
    static final ProviderRegistry REGISTRY = ProviderRegistry.discover();
    private static WorkerPool pool;

    @TempDir
    Path tmp;

    @BeforeAll
    static void pool() {
        pool = new WorkerPool(2);
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    static CausalLm load(Path dir, String linear) {
        return new ModelLoader(new LayerLoader(new ProviderSelector(REGISTRY, () -> null), linear,
                pool, Map.of())).load(dir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.embed_tokens.weight", "model.layers.1.input_layernorm.weight", "model.norm.weight",
        "lm_head.weight", "model.layers.2.mlp.down_proj.weight"})
    void aNaNOrInfinityIsRefusedAtLoadNamingTheTensor(String tensor) {
        Path nan = ModelCopy.of(TINY).set(tensor, 5, Float.NaN).writeTo(tmp.resolve("nan"));
        assertThatThrownBy(() -> load(nan, "fp32")).isInstanceOf(CheckpointException.class)
                .hasMessage(nan.resolve("model.safetensors") + ": tensor '" + tensor + "' holds NaN at element 5"
                        + (tensor.contains("norm") ? "" : " (index [0, 5])") + " (weights must be finite numbers)");
        Path inf = ModelCopy.of(TINY).set(tensor, 7, Float.NEGATIVE_INFINITY).writeTo(tmp.resolve("inf"));
        assertThatThrownBy(() -> load(inf, "fp32")).hasMessageContaining("tensor '" + tensor + "' holds -Infinity at element 7");
    }

    @Test
    void aFiniteWeightNearFloatMaxIsRefused() {
        Path big = ModelCopy.of(TINY).set("model.layers.0.self_attn.q_proj.weight", 100, 3e38f).writeTo(tmp.resolve("big"));
        assertThatThrownBy(() -> load(big, "fp32")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor 'model.layers.0.self_attn.q_proj.weight' holds the value 3.0E38 at element 100")
                .hasMessageContaining("within +-2^48");
    }

    @Test
    void theConverterRefusesNonFiniteTensorsInsteadOfCopyingThem() {
        for (String tensor : new String[] {"model.layers.0.mlp.up_proj.weight", "model.norm.weight"}) {
            Path src = ModelCopy.of(TINY).set(tensor, 3, Float.POSITIVE_INFINITY).writeTo(tmp.resolve("src-" + tensor));
            Path out = tmp.resolve("out-" + tensor);
            assertThatThrownBy(() -> new ModelConverter(REGISTRY.formats().forName("qins9"), ConversionOptions.of("qins9", Map.of()))
                    .convert(src, out, ConversionListener.NONE)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(src.resolve("model.safetensors") + ": tensor '" + tensor + "' holds +Infinity");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void weightsThatOverflowOnAnInputStopGenerationNamingTheLayer() {
        // Every value is within 2^48, but q.k = (2^48 x 2^48 x ...)^2 overflows float32 in layer 0's attention.
        float big = 0x1p48f;
        Path overflow = ModelCopy.of(TINY)
                .edit("model.layers.0.input_layernorm.weight", v -> Arrays.fill(v, big))
                .edit("model.layers.0.self_attn.q_proj.weight", v -> Arrays.fill(v, big))
                .edit("model.layers.0.self_attn.k_proj.weight", v -> Arrays.fill(v, big))
                .writeTo(tmp.resolve("overflow"));
        try (CausalLm lm = load(overflow, "fp32")) {
            assertThatThrownBy(() -> new Generator(lm, REGISTRY.kv("fp32")).generate(new int[] {1, 5, 9},
                    GenerationOptions.greedy(4, Set.of()), (s, t, l) -> { }))
                    .isInstanceOf(NonFiniteException.class)
                    .hasMessageStartingWith("the output of layer 0 (model.layers.0) is NaN at position 0");
        }
    }
}
