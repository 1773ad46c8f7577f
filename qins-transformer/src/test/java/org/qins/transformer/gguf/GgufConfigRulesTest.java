package org.qins.transformer.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.config.UnsupportedModelException;
import org.qins.transformer.source.ModelSource;

/** Metadata the engine cannot run is refused naming the file and the key (or tensor). */
class GgufConfigRulesTest {

    @TempDir
    Path dir;

    /** A {@code blocks}-block llama: hidden 8, 2 heads, MLP 16, vocab 4, six tensors, the metadata after {@code edit}. */
    private Path model(String arch, int blocks, UnaryOperator<GgufWriter> edit) throws IOException {
        String a = arch + ".";
        GgufWriter w = new GgufWriter().string("general.architecture", arch).u32(a + "context_length", 64)
                .u32(a + "embedding_length", 8).u32(a + "feed_forward_length", 16).u32(a + "block_count", blocks)
                .u32(a + "attention.head_count", 2).f32(a + "attention.layer_norm_rms_epsilon", 1e-5f)
                .tensor("token_embd.weight", GgufWriter.F32, new long[] {4, 8}, new byte[4 * 8 * 4])
                .tensor("output_norm.weight", GgufWriter.F32, new long[] {8}, new byte[32])
                .tensor("blk.0.attn_norm.weight", GgufWriter.F32, new long[] {8}, new byte[32])
                .tensor("blk.0.ffn_norm.weight", GgufWriter.F32, new long[] {8}, new byte[32])
                .tensor("blk.0.attn_q.weight", GgufWriter.F32, new long[] {8, 8}, new byte[256])
                .tensor("blk.0.attn_output.weight", GgufWriter.F32, new long[] {8, 8}, new byte[256]);
        return edit.apply(w).write(dir.resolve("m.gguf"));
    }

    private Path model(String arch, UnaryOperator<GgufWriter> edit) throws IOException {
        return model(arch, 1, edit);
    }

    private ModelConfig config(Path p) {
        return ModelSource.of(p).config();
    }

    @Test
    void aMinimalLlamaReads() throws IOException {
        ModelConfig c = config(model("llama", w -> w));
        assertThat(c.architecture().className()).isEqualTo("LlamaForCausalLM");
        assertThat(c.headDim()).isEqualTo(4);
        assertThat(c.kvHeads()).isEqualTo(2);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.rope().theta()).isEqualTo(10000.0);
        assertThat(config(model("llama", w -> w.u32("llama.attention.sliding_window", 16))).architecture().className())
                .isEqualTo("MistralForCausalLM");
        assertThat(config(model("llama", w -> w.string("llama.rope.scaling.type", "linear").f32("llama.rope.scaling.factor", 2)))
                .rope().type()).isEqualTo("linear");
    }

    @Test
    void whatTheEngineCannotRunIsNamed() throws IOException {
        Path p = model("gemma2", w -> w);
        assertThatThrownBy(() -> config(p)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(p + ": GGUF architecture 'gemma2' is not supported (supported: llama, phi3, qwen2, qwen3)");
        Path yarn = model("qwen2", w -> w.string("qwen2.rope.scaling.type", "yarn"));
        assertThatThrownBy(() -> config(yarn)).hasMessageContaining(yarn + ": metadata 'qwen2.rope.scaling.type' is 'yarn'; supported: none, linear");

        assertThatThrownBy(() -> config(model("qwen3", w -> w.u32("qwen3.attention.value_length", 3).u32("qwen3.attention.key_length", 4))))
                .hasMessageContaining("metadata 'qwen3.attention.value_length' is 3 but key_length is 4");

        assertThatThrownBy(() -> config(model("phi3", w -> w.u32("phi3.block_count", 0))))
                .hasMessageContaining("metadata key 'phi3.block_count' appears twice");
        assertThatThrownBy(() -> config(model("llama", w -> w.tensor("rope_freqs.weight", GgufWriter.F32, new long[] {3}, new byte[12]))))
                .hasMessageContaining("tensor 'rope_freqs.weight' (F32[3]) must be F32[2] (one factor per rotary frequency)");
        assertThatThrownBy(() -> config(model("llama", w -> w.f32("llama.attention.head_count_kv", 2))))
                .hasMessageContaining("metadata 'llama.attention.head_count_kv' must be an integer, is FLOAT32 2.0");
        Path blocks = model("qwen2", 2, w -> w);
        assertThatThrownBy(() -> config(blocks)).hasMessageContaining(blocks
                + ": metadata 'qwen2.block_count' is 2 but the file holds 6 tensors; a block has at least 6");
        assertThatThrownBy(() -> config(model("llama", w -> w.u32("llama.attention.head_count_kv", 3))))
                .hasMessageContaining("(metadata read as config.json): 'num_key_value_heads' (3) must divide num_attention_heads (2)");
    }

    @Test
    void aTensorTheFamilyDoesNotNameIsRefused() throws IOException {
        Path p = model("llama", w -> w.tensor("blk.0.ffn_gate_exps.weight", GgufWriter.F32, new long[] {8}, new byte[32]));
        ModelSource s = ModelSource.of(p);
        assertThatThrownBy(() -> s.openCheckpoint(s.config()).close()).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(p + ": tensor 'blk.0.ffn_gate_exps.weight' (F32[8]) is not part of a 1-layer llama model");
        Path q = model("llama", w -> w.tensor("blk.0.attn_k.weight", GgufWriter.F32, new long[] {3, 8}, new byte[96]));
        ModelSource t = ModelSource.of(q);
        assertThatThrownBy(() -> t.openCheckpoint(t.config()).close()).hasMessageContaining(q + ": tensor 'blk.0.attn_k.weight' (F32[3, 8])"
                + " (model.layers.0.self_attn.k_proj.weight) should have shape [8, 8] for the model its metadata describes");
    }
}
