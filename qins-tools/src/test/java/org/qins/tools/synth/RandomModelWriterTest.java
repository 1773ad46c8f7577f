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
    void writesPhi3WithFusedProjectionsLongRopeAndShardsLikeTheHub() throws Exception {
        ModelShape phi = ModelShape.parse("phi3:96,2,4,4,128,320").withPartialRotary(0.75);
        Path dir = tmp.resolve("phi");
        // 100 KB shards: the embedding (61 KB in BF16) and the first layer's tensors fill the first, and so on.
        new RandomModelWriter(phi, 5, DType.BF16, 100_000).write(dir);
        assertThat(dir.resolve(Checkpoint.SINGLE_FILE)).doesNotExist();
        assertThat(dir.resolve("model-00001-of-00006.safetensors")).exists();
        assertThat(dir.resolve("model-00006-of-00006.safetensors")).exists();
        try (Checkpoint c = Checkpoint.open(dir)) { // checks every tensor against the index
            assertThat(c.tensor("model.layers.1.self_attn.qkv_proj.weight").shape()).containsExactly(96 + 2 * 96, 96);
            assertThat(c.tensor("model.layers.0.mlp.gate_up_proj.weight").shape()).containsExactly(2 * 128, 96);
            assertThat(c.has("model.layers.0.self_attn.q_proj.weight")).isFalse();
            assertThat(c.fileOf("lm_head.weight").getFileName().toString()).isEqualTo("model-00006-of-00006.safetensors");
            long params = c.tensorNames().stream().mapToLong(n -> c.tensor(n).elementCount()).sum();
            assertThat(params).isEqualTo(phi.parameters());
            for (Path shard : java.util.List.of(c.fileOf("model.embed_tokens.weight"), c.fileOf("lm_head.weight"))) {
                assertThat(Files.size(shard)).isLessThan(100_000 + 4096); // tensor data within the limit, plus the header
            }
        }
        assertThat(Files.readString(dir.resolve(Checkpoint.INDEX_FILE))).contains("\"total_size\" : " + 2 * phi.parameters());
        org.qins.transformer.config.ModelConfig config = org.qins.transformer.config.ConfigLoader.load(dir);
        assertThat(config.rope().rotaryDim()).isEqualTo(18); // head dim 24 x 0.75
        assertThat(config.rope().scaling()).isInstanceOf(org.qins.transformer.config.RopeScaling.LongRope.class);
        assertThat(config.maxPositionEmbeddings()).isEqualTo(131072);
        assertThat(Files.list(tmp).map(p -> p.getFileName().toString())).containsExactly("phi"); // no temporary left
    }

    @Test
    void writesLlama3WithItsRopeAndIds() throws Exception {
        Path dir = tmp.resolve("l3");
        new RandomModelWriter(ModelShape.parse("llama3:64,1,4,2,96,128"), 1, DType.BF16).write(dir);
        org.qins.transformer.config.ModelConfig config = org.qins.transformer.config.ConfigLoader.load(dir);
        assertThat(config.rope().scaling()).isInstanceOf(org.qins.transformer.config.RopeScaling.Llama3.class);
        assertThat(config.maxPositionEmbeddings()).isEqualTo(131072);
        assertThat(dir.resolve(Checkpoint.SINGLE_FILE)).exists(); // one shard: no index, as the Hub writes small models
        assertThat(dir.resolve(Checkpoint.INDEX_FILE)).doesNotExist();
    }

    @Test
    void theSameModelIsReusedAndAnotherOneIsRefusedNamingBoth() throws Exception {
        Path dir = tmp.resolve("m");
        assertThat(new RandomModelWriter(SMALL, 4, DType.F32).writeIfAbsent(dir)).isTrue();
        assertThat(new RandomModelWriter(SMALL, 4, DType.F32).writeIfAbsent(dir)).isFalse();
        assertThatThrownBy(() -> new RandomModelWriter(SMALL, 5, DType.F32).writeIfAbsent(dir))
                .hasMessageContaining("holds h64-l2-a4-kv2-i96-v128 F32 seed 4, not the asked h64-l2-a4-kv2-i96-v128 F32 seed 5");
        assertThatThrownBy(() -> new RandomModelWriter(SMALL, 4, DType.BF16).writeIfAbsent(dir))
                .hasMessageContaining("not the asked h64-l2-a4-kv2-i96-v128 BF16 seed 4");
        assertThatThrownBy(() -> new RandomModelWriter(ModelShape.parse("64,3,4,2,96,128"), 4, DType.F32).writeIfAbsent(dir))
                .hasMessageContaining("not the asked h64-l3-a4-kv2-i96-v128 F32 seed 4");
        assertThatThrownBy(() -> new RandomModelWriter(ModelShape.parse("phi3:64,2,4,2,96,128"), 4, DType.F32).writeIfAbsent(dir))
                .hasMessageContaining("not the asked phi3-h64-l2-a4-kv2-i96-v128-c131072 F32 seed 4");
    }

    @Test
    void sizesMustBePositive() {
        assertThatThrownBy(() -> ModelShape.parse("64,0,4,2,96,128")).hasMessage("layers must be > 0, got 0");
        assertThatThrownBy(() -> ModelShape.parse("-64,2,4,2,96,128")).hasMessage("hidden must be > 0, got -64");
        assertThatThrownBy(() -> ModelShape.parse("64,2,4,2,96,-1")).hasMessage("vocab must be > 0, got -1");
        assertThatThrownBy(() -> ModelShape.parse("64,2,4,2,x,1")).hasMessageContaining("sizes must be integers");
        assertThatThrownBy(() -> SMALL.withPartialRotary(0.5)).hasMessageContaining("phi3 family only");
        assertThatThrownBy(() -> ModelShape.parse("phi3:64,2,4,2,96,128").withPartialRotary(0)).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> new RandomModelWriter(SMALL, 1, DType.F32, 0)).hasMessageContaining("shard size must be > 0");
    }

    @Test
    void presetsHaveTheRealModelsParameterCounts() {
        assertThat(ModelShape.parse("phi3.5-mini").parameters()).isBetween(3_820_000_000L, 3_822_000_000L);
        assertThat(ModelShape.parse("llama3-8b").parameters()).isBetween(8_030_000_000L, 8_031_000_000L);
        assertThat(ModelShape.parse("llama3-8b").key()).isEqualTo("llama3-h4096-l32-a32-kv8-i14336-v128256-c131072");
    }

    @Test
    void shapesParseFromPresetsAndLists() {
        assertThat(ModelShape.parse("tinyllama-1b").parameters()).isBetween(1_090_000_000L, 1_110_000_000L);
        assertThat(ModelShape.parse("64,2,4,2,96,128")).isEqualTo(SMALL);
        assertThatThrownBy(() -> ModelShape.parse("64,2")).hasMessageContaining("hidden,layers,heads");
        assertThatThrownBy(() -> new ModelShape(64, 2, 5, 1, 96, 128)).hasMessageContaining("must divide");
    }
}
