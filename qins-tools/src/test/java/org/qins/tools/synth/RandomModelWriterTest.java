package org.qins.tools.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.DType;
import org.qins.transformer.checkpoint.Checkpoint;

class RandomModelWriterTest {

    @TempDir
    Path tmp;

    private static final ModelShape SMALL = new ModelShape(64, 2, 4, 2, 96, 128);

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws Exception {
        new RandomModelWriter(SMALL, 1, DType.F32).write(tmp.resolve("a"));
        new RandomModelWriter(SMALL, 1, DType.F32).write(tmp.resolve("b"));
        new RandomModelWriter(SMALL, 2, DType.F32).write(tmp.resolve("c"));
        byte[] a = Files.readAllBytes(tmp.resolve("a/model.safetensors"));
        assertThat(a).isEqualTo(Files.readAllBytes(tmp.resolve("b/model.safetensors")));
        assertThat(a).isNotEqualTo(Files.readAllBytes(tmp.resolve("c/model.safetensors")));
    }

    @Test
    void writesEveryLlamaTensorWithItsShapeAndCountsParameters() throws Exception {
        new RandomModelWriter(SMALL, 3, DType.BF16).write(tmp.resolve("m"));
        try (Checkpoint c = Checkpoint.open(tmp.resolve("m"))) {
            assertThat(c.tensorNames()).hasSize(2 * 9 + 3);
            assertThat(c.tensor("model.layers.1.self_attn.k_proj.weight").shape()).containsExactly(32, 64);
            assertThat(c.tensor("model.layers.0.mlp.down_proj.weight").shape()).containsExactly(64, 96);
            assertThat(c.tensor("lm_head.weight").dtype()).isEqualTo(DType.BF16);
            long params = c.tensorNames().stream().mapToLong(n -> c.tensor(n).elementCount()).sum();
            assertThat(params).isEqualTo(SMALL.parameters());
            float[] w = c.tensor("model.layers.0.mlp.up_proj.weight").toFloatArray();
            double sq = 0;
            for (float v : w) {
                sq += v * v;
            }
            // N(0, 0.02) with a lognormal row scale (E[s^2] = e^0.5) and rare x8 entries.
            assertThat(Math.sqrt(sq / w.length)).isBetween(0.015, 0.05);
        }
        assertThat(tmp.resolve("m/config.json")).content().contains("\"LlamaForCausalLM\"").contains("\"num_key_value_heads\" : 2");
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertThat(RandomModelWriter.bf16(1.0f)).isEqualTo((short) 0x3F80);
        assertThat(Float.intBitsToFloat(RandomModelWriter.bf16(1.00390625f) << 16)).isEqualTo(1.0f); // halfway -> even
        assertThat(Float.intBitsToFloat(RandomModelWriter.bf16(1.01171875f) << 16)).isEqualTo(1.015625f); // halfway -> even (up)
    }

    @Test
    void shapesParseFromPresetsAndLists() {
        assertThat(ModelShape.parse("tinyllama-1b").parameters()).isBetween(1_090_000_000L, 1_110_000_000L);
        assertThat(ModelShape.parse("64,2,4,2,96,128")).isEqualTo(SMALL);
        assertThatThrownBy(() -> ModelShape.parse("64,2")).hasMessageContaining("hidden,layers,heads");
        assertThatThrownBy(() -> new ModelShape(64, 2, 5, 1, 96, 128)).hasMessageContaining("must divide");
    }
}
