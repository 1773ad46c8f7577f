package org.qins.transformer.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.qins.api.LayerSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.checkpoint.FiniteCheck;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.config.UnsupportedModelException;
import org.qins.transformer.gguf.GgufWriter;
import org.qins.transformer.gguf.Q8_0Format;
import org.qins.transformer.source.ModelSource;
import org.qins.transformer.tokenizer.Tokenizer;
import org.qins.transformer.tokenizer.TokenizerException;

/**
 * Fuzzes GGUF files from the reader up: byte mutations of two small valid models (a Llama with a byte-level BPE
 * vocabulary and F32/F16/BF16/Q8_0 tensors, a Phi-3 with LongRoPE factor tensors and a SentencePiece vocabulary),
 * each run as the engine reads them: config from the metadata, tensors under the family's names (every weight
 * touched, Q8_0 decoded), the tokenizer built and used. A clear refusal is an error of the checkpoint, config or
 * tokenizer naming the file.
 */
class GgufFuzzTest {

    static final String FILE = "model.gguf";

    static final class Target implements FuzzTarget {

        @Override
        public String name() {
            return "gguf";
        }

        @Override
        public List<FuzzInput> corpus() {
            List<FuzzInput> out = new ArrayList<>(List.of(FuzzInput.of("llama seed", FILE, llama().toBytes()),
                    FuzzInput.of("phi3 seed", FILE, phi3().toBytes())));
            for (Path p : Corpus.files(name(), ".gguf")) { // past findings
                out.add(FuzzInput.of(p.getFileName().toString(), FILE, Corpus.read(p)));
            }
            return out;
        }

        @Override
        public FuzzInput mutate(Random r, FuzzInput seed, List<FuzzInput> corpus) {
            byte[] in = seed.files().get(FILE);
            List<byte[]> others = corpus.stream().map(c -> c.files().get(FILE)).toList();
            return FuzzInput.of("mutated from " + seed.origin(), FILE, ByteMutations.mutate(r, in, others));
        }

        @Override
        public void run(Path dir) {
            ModelSource s = ModelSource.of(dir.resolve(FILE));
            ModelConfig c = s.config();
            try (Checkpoint ck = s.openCheckpoint(c)) {
                for (String n : ck.tensorNames()) {
                    TensorView t = ck.tensor(n);
                    if (t.data().byteSize() > 0) {
                        t.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, t.data().byteSize() - 1);
                    }
                    FiniteCheck.firstBadWeight(t);
                }
                for (LayerSpec spec : c.linearSpecs().values()) {
                    StoredWeight w = ck.linear(spec.name());
                    if (w.format().equals(Q8_0Format.NAME)) {
                        new Q8_0Format().decode(spec, w);
                    }
                }
            }
            if (s.hasTokenizer()) {
                try (Tokenizer t = s.tokenizer()) {
                    t.decode(t.encode("Hello world, the ab 日本"));
                }
            }
        }

        @Override
        public Class<? extends RuntimeException> clearError() {
            return CheckpointException.class;
        }

        @Override
        public boolean isClear(Throwable t) {
            return t instanceof CheckpointException || t instanceof UnsupportedModelException || t instanceof TokenizerException;
        }
    }

    private static byte[] floats(int n, float scale) {
        float[] v = new float[n];
        Random r = new Random(n);
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        return GgufWriter.f32(v);
    }

    private static float[] values(int n) {
        float[] v = new float[n];
        Random r = new Random(n + 1);
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * 0.02f;
        }
        return v;
    }

    /** A one-block Llama, hidden 32, 2 heads of 16, MLP 32, a 6-token byte-level vocabulary. */
    static GgufWriter llama() {
        GgufWriter w = new GgufWriter().string("general.architecture", "llama").u32("llama.context_length", 64)
                .u32("llama.embedding_length", 32).u32("llama.feed_forward_length", 32).u32("llama.block_count", 1)
                .u32("llama.attention.head_count", 2).u32("llama.attention.head_count_kv", 1)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f).f32("llama.rope.freq_base", 10000f)
                .string("tokenizer.ggml.model", "gpt2").string("tokenizer.ggml.pre", "gpt-2")
                .strings("tokenizer.ggml.tokens", List.of("<s>", "</s>", "a", "b", "ab", "\u0120"))
                .ints("tokenizer.ggml.token_type", new int[] {3, 3, 1, 1, 1, 1}).strings("tokenizer.ggml.merges", List.of("a b"))
                .u32("tokenizer.ggml.bos_token_id", 0).u32("tokenizer.ggml.eos_token_id", 1).bool("tokenizer.ggml.add_bos_token", true)
                .string("tokenizer.chat_template", "{{ messages }}");
        w.tensor("token_embd.weight", GgufWriter.F32, new long[] {6, 32}, floats(6 * 32, 1));
        w.tensor("output_norm.weight", GgufWriter.F32, new long[] {32}, floats(32, 1));
        w.tensor("output.weight", GgufWriter.Q8_0, new long[] {6, 32}, GgufWriter.q8_0(values(6 * 32), 6, 32));
        w.tensor("blk.0.attn_norm.weight", GgufWriter.F32, new long[] {32}, floats(32, 1));
        w.tensor("blk.0.ffn_norm.weight", GgufWriter.F32, new long[] {32}, floats(32, 1));
        w.tensor("blk.0.attn_q.weight", GgufWriter.Q8_0, new long[] {32, 32}, GgufWriter.q8_0(values(32 * 32), 32, 32));
        w.tensor("blk.0.attn_k.weight", GgufWriter.F16, new long[] {16, 32}, GgufWriter.f16(values(16 * 32)));
        w.tensor("blk.0.attn_v.weight", GgufWriter.BF16, new long[] {16, 32}, GgufWriter.bf16(values(16 * 32)));
        w.tensor("blk.0.attn_output.weight", GgufWriter.F32, new long[] {32, 32}, floats(32 * 32, 0.02f));
        w.tensor("blk.0.ffn_gate.weight", GgufWriter.F32, new long[] {32, 32}, floats(32 * 32, 0.02f));
        w.tensor("blk.0.ffn_up.weight", GgufWriter.F32, new long[] {32, 32}, floats(32 * 32, 0.02f));
        w.tensor("blk.0.ffn_down.weight", GgufWriter.F32, new long[] {32, 32}, floats(32 * 32, 0.02f));
        return w;
    }

    /** A one-block Phi-3 with LongRoPE factors, rotary 12 of 16, a SentencePiece vocabulary with byte tokens. */
    static GgufWriter phi3() {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "<0x41>", "\u2581", "a", "b", "ab", "\u2581ab"));
        GgufWriter w = new GgufWriter().string("general.architecture", "phi3").u32("phi3.context_length", 128)
                .u32("phi3.embedding_length", 32).u32("phi3.feed_forward_length", 32).u32("phi3.block_count", 1)
                .u32("phi3.attention.head_count", 2).u32("phi3.attention.head_count_kv", 2).u32("phi3.rope.dimension_count", 12)
                .f32("phi3.attention.layer_norm_rms_epsilon", 1e-5f).u32("phi3.rope.scaling.original_context_length", 32)
                .f32("phi3.rope.scaling.attn_factor", 1.2f).u32("phi3.attention.sliding_window", 0)
                .string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", tokens)
                .ints("tokenizer.ggml.token_type", new int[] {2, 3, 3, 6, 1, 1, 1, 1, 1})
                .floats("tokenizer.ggml.scores", new float[] {0, 0, 0, 0, 0, 0, 0, -1, -2}).u32("tokenizer.ggml.bos_token_id", 1)
                .u32("tokenizer.ggml.eos_token_id", 2).bool("tokenizer.ggml.remove_extra_whitespaces", true);
        w.tensor("rope_factors_long.weight", GgufWriter.F32, new long[] {6}, GgufWriter.f32(new float[] {1, 2, 3, 4, 5, 6}));
        w.tensor("rope_factors_short.weight", GgufWriter.F32, new long[] {6}, GgufWriter.f32(new float[] {1, 1, 1, 1.5f, 2, 2}));
        w.tensor("token_embd.weight", GgufWriter.Q8_0, new long[] {9, 32}, GgufWriter.q8_0(values(9 * 32), 9, 32));
        w.tensor("output_norm.weight", GgufWriter.F32, new long[] {32}, floats(32, 1));
        w.tensor("blk.0.attn_norm.weight", GgufWriter.F32, new long[] {32}, floats(32, 1));
        w.tensor("blk.0.ffn_norm.weight", GgufWriter.F32, new long[] {32}, floats(32, 1));
        w.tensor("blk.0.attn_qkv.weight", GgufWriter.Q8_0, new long[] {96, 32}, GgufWriter.q8_0(values(96 * 32), 96, 32));
        w.tensor("blk.0.attn_output.weight", GgufWriter.F16, new long[] {32, 32}, GgufWriter.f16(values(32 * 32)));
        w.tensor("blk.0.ffn_up.weight", GgufWriter.F32, new long[] {64, 32}, floats(64 * 32, 0.02f));
        w.tensor("blk.0.ffn_down.weight", GgufWriter.F32, new long[] {32, 32}, floats(32 * 32, 0.02f));
        return w;
    }

    @Test
    void theSeedsAndSeededMutationsEndAcceptedOrWithAClearError() {
        FuzzReport r = FuzzRunner.run(new Target(), FuzzRunner.seed(37), FuzzRunner.iterations(1000), 10_000);
        assertThat(r.findings()).isEmpty();
        assertThat(r.accepted()).isPositive();
        assertThat(r.refused()).isPositive();
    }
}
