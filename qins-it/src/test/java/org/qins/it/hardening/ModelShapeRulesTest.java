package org.qins.it.hardening;

import org.qins.transformer.checkpoint.ModelCopy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.ModelLoader;
import org.qins.transformer.parallel.WorkerPool;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderSelector;

/** Config and checkpoint must describe the same model, and work must fit the model's context before it starts. */
class ModelShapeRulesTest {

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

    private static CausalLm load(Path dir) {
        return new ModelLoader(new LayerLoader(new ProviderSelector(NonFiniteTest.REGISTRY, () -> null), "fp32",
                pool, Map.of())).load(dir);
    }

    @Test
    void aConfigWithFewerLayersThanTheCheckpointIsRefused() {
        Path dir = ModelCopy.of(NonFiniteTest.TINY).config("num_hidden_layers", 2).writeTo(tmp.resolve("fewer"));
        assertThatThrownBy(() -> load(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("9 tensor(s) that config.json's model does not use (2 layers")
                .hasMessageContaining("model.layers.2.input_layernorm.weight");
    }

    @Test
    void unknownTensorsAreRefusedAndRotaryBuffersIgnored() {
        Path extra = ModelCopy.of(NonFiniteTest.TINY).extra("model.layers.0.self_attn.bias", 1f).writeTo(tmp.resolve("extra"));
        assertThatThrownBy(() -> load(extra)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("1 tensor(s) that config.json's model does not use").hasMessageContaining("model.layers.0.self_attn.bias");
        Path rotary = ModelCopy.of(NonFiniteTest.TINY).extra("model.layers.0.self_attn.rotary_emb.inv_freq", 1f, 0.1f)
                .writeTo(tmp.resolve("rotary"));
        try (CausalLm lm = load(rotary)) {
            assertThat(lm.config().layers()).isEqualTo(3);
        }
    }

    @Test
    void aPromptPlusNewTokensBeyondTheContextIsRefusedBeforeAnyWork() {
        try (CausalLm lm = load(NonFiniteTest.TINY)) {
            Generator g = new Generator(lm, NonFiniteTest.REGISTRY.kv("fp32"));
            int[] prompt = new int[500];
            assertThatThrownBy(() -> g.generate(prompt, GenerationOptions.greedy(13, Set.of()), (s, t, l) -> { }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the prompt's 500 tokens + 13 new tokens = 513 positions exceed the model's context of 512"
                            + " (max_position_embeddings)");
            // A huge limit is refused by the check, not by an allocation of that size.
            assertThatThrownBy(() -> g.generate(new int[] {1}, GenerationOptions.greedy(Integer.MAX_VALUE, Set.of()), (s, t, l) -> { }))
                    .hasMessageContaining("1 tokens + 2147483647 new tokens = 2147483648 positions exceed the model's context of 512");
            assertThat(g.generate(prompt, GenerationOptions.greedy(12, Set.of()), (s, t, l) -> { }).tokens()).hasSize(12);
            assertThatThrownBy(() -> lm.newSequence(NonFiniteTest.REGISTRY.kv("fp32"), 513))
                    .hasMessage("a sequence of 513 positions does not fit the model's context of 512 (max_position_embeddings)");
        }
    }
}
