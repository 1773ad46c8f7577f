package org.qins.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.TensorView;
import org.qins.it.thirdparty.FusedLlamaArchitecture;
import org.qins.tools.validate.CompareMetrics;
import org.qins.tools.validate.Comparison;
import org.qins.tools.validate.Follower;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.arch.ArchitectureRegistry;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.SafetensorsWriter;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.UnsupportedModelException;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.convert.ConversionReport;
import org.qins.transformer.model.CausalLm;

/**
 * A model family that only a third party's jar describes ({@link FusedLlamaArchitecture}, found through
 * this test module's {@code META-INF/services}): the tiny-qwen2 fixture re-exported under its names,
 * with q/k/v (and their biases) and gate/up fused, loads, reproduces transformers' outputs for
 * tiny-qwen2, and converts by the same description.
 */
class ThirdPartyArchitectureTest {

    static final Path QWEN2 = Fixtures.dir("tiny-qwen2");

    @TempDir
    static Path tmp;
    static Path fused;

    @BeforeAll
    static void exportUnderTheThirdPartysNames() throws IOException {
        fused = tmp.resolve("tiny-qwen2-fused");
        Files.createDirectories(fused);
        try (Checkpoint src = Checkpoint.open(QWEN2); SafetensorsWriter w = new SafetensorsWriter(fused.resolve(Checkpoint.SINGLE_FILE))) {
            w.add("tok_embeddings.weight", rename(src, "model.embed_tokens.weight", "tok_embeddings.weight"));
            w.add("norm.weight", rename(src, "model.norm.weight", "norm.weight"));
            for (int i = 0; i < 2; i++) {
                String from = "model.layers." + i + ".";
                String to = "blocks." + i + ".";
                w.add(to + "attn.wqkv.weight", concat(src, to + "attn.wqkv.weight", from + "self_attn.q_proj.weight",
                        from + "self_attn.k_proj.weight", from + "self_attn.v_proj.weight"));
                w.add(to + "attn.wqkv.bias", concat(src, to + "attn.wqkv.bias", from + "self_attn.q_proj.bias",
                        from + "self_attn.k_proj.bias", from + "self_attn.v_proj.bias"));
                w.add(to + "attn.wo.weight", rename(src, from + "self_attn.o_proj.weight", to + "attn.wo.weight"));
                w.add(to + "ffn.w13.weight", concat(src, to + "ffn.w13.weight", from + "mlp.gate_proj.weight", from + "mlp.up_proj.weight"));
                w.add(to + "ffn.w2.weight", rename(src, from + "mlp.down_proj.weight", to + "ffn.w2.weight"));
                w.add(to + "attn_norm.weight", rename(src, from + "input_layernorm.weight", to + "attn_norm.weight"));
                w.add(to + "ffn_norm.weight", rename(src, from + "post_attention_layernorm.weight", to + "ffn_norm.weight"));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(QWEN2.resolve("config.json").toFile());
        config.putArray("architectures").add("FusedLlamaForCausalLM");
        config.put("model_type", "fused-llama");
        json.writeValue(fused.resolve("config.json").toFile(), config);
        for (String f : List.of("generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(QWEN2.resolve(f), fused.resolve(f));
        }
    }

    private static TensorView rename(Checkpoint src, String name, String as) {
        TensorView t = src.tensor(name);
        return TensorView.ofFloats(as, t.toFloatArray(), t.shape());
    }

    /** Rows of the named tensors one after the other (vectors: end to end). */
    private static TensorView concat(Checkpoint src, String as, String... names) {
        int rows = 0;
        int total = 0;
        long cols = 1;
        for (String n : names) {
            TensorView t = src.tensor(n);
            rows += (int) t.dim(0);
            total += (int) t.elementCount();
            cols = t.rank() == 2 ? t.dim(1) : 1;
        }
        float[] out = new float[total];
        int at = 0;
        for (String n : names) {
            float[] v = src.tensor(n).toFloatArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return cols == 1 && src.tensor(names[0]).rank() == 1 ? TensorView.ofFloats(as, out, rows) : TensorView.ofFloats(as, out, rows, cols);
    }

    @Test
    void theClasspathRegistersIt() {
        assertThat(ArchitectureRegistry.standard().classNames()).contains("FusedLlamaForCausalLM", "LlamaForCausalLM",
                "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "Phi3ForCausalLM");
        assertThat(ConfigLoader.load(fused).architecture()).isEqualTo(FusedLlamaArchitecture.FUSED_LLAMA);
        assertThatThrownBy(() -> ConfigLoader.parse(new ObjectMapper().readTree(
                "{\"architectures\": [\"GPT2LMHeadModel\"], \"model_type\": \"gpt2\"}"), null, "x/config.json"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("unsupported architecture 'GPT2LMHeadModel'").hasMessageContaining("FusedLlamaForCausalLM");
    }

    @Test
    void itReproducesTransformersThroughTheThirdPartysDescription() {
        LlmRef ref = ReferenceFile.read(QWEN2.resolve("reference.json"));
        CompareMetrics m;
        try (QinsEngine engine = QinsEngine.builder().threads(2).kv("fp32").build(); CausalLm lm = engine.load(fused, "fp32", Map.of())) {
            assertThat(lm.config().biases()).isNotEmpty();
            m = Comparison.compare(ref, new Follower(lm, engine.kvCache(), 20).follow(ref, Map.of()));
        }
        assertThat(m.greedyMatchRate()).isEqualTo(1.0);
        assertThat(m.exactMaxAbsLogitDiff()).isLessThan(1e-3);
        assertThat(m.meanKl()).isLessThan(1e-5);
    }

    @Test
    void itConvertsByTheSameDescription() {
        Path out = tmp.resolve("fused-qins");
        try (QinsEngine engine = QinsEngine.builder().threads(2).kv("fp32").build()) {
            ConversionReport r = engine.convert(fused, out, ConversionOptions.of(engine.defaultFormat(), Map.of()), ConversionListener.NONE);
            assertThat(r.encodedTensors()).as("wqkv, wo, w13, w2 of 2 blocks").isEqualTo(8);
            assertThat(r.copiedTensors()).as("embedding, final norm, and per block 2 norms + the qkv bias").isEqualTo(2 + 2 * 3);
            try (Checkpoint c = Checkpoint.open(out)) {
                assertThat(c.isEncoded("blocks.1.ffn.w13")).isTrue();
                assertThat(c.tensor("blocks.1.attn.wqkv.bias").rank()).isEqualTo(1);
            }
            try (CausalLm lm = engine.load(out)) {
                assertThat(lm.describeLinear()).startsWith("qins qins9");
                float[] logits = lm.newSequence(engine.kvCache(), 8).prefill(new int[] {1, 5, 9, 33});
                assertThat(logits).hasSize(320).doesNotContain(Float.NaN);
            }
        }
    }
}
