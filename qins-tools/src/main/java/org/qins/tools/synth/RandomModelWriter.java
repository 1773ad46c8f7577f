package org.qins.tools.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.qins.api.DType;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.SafetensorsWriter;

/**
 * Writes a deterministic random Llama model: the same seed and shape give the same bytes on
 * every machine and thread count (each row draws from its own generator). The weights imitate
 * trained ones like the reference fixtures: N(0, 0.02) with a lognormal scale per row, 0.1 % of
 * entries x8, lognormal RMSNorm weights, sharper q/k and a peaked output head.
 */
public final class RandomModelWriter {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ModelShape shape;
    private final long seed;
    private final DType dtype;

    public RandomModelWriter(ModelShape shape, long seed, DType dtype) {
        if (!dtype.isFloat()) {
            throw new IllegalArgumentException("random models are written in F32, F16 or BF16, not " + dtype);
        }
        this.shape = shape;
        this.seed = seed;
        this.dtype = dtype;
    }

    /**
     * Writes the model into {@code dir} unless it is already there: the files go to a temporary
     * sibling directory that is renamed to {@code dir} when complete, so an interrupted run leaves
     * no half-written model. Returns true when it wrote, false when {@code dir} already held a model.
     */
    public boolean writeIfAbsent(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve(Checkpoint.SINGLE_FILE))) {
            return false;
        }
        if (Files.exists(dir)) {
            throw new IOException(dir + " exists but holds no complete model; remove it");
        }
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".tmp-");
        try {
            write(tmp);
            Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException | RuntimeException e) {
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
            throw e;
        }
    }

    /** Writes config.json, generation_config.json and model.safetensors into {@code dir} (created). */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeConfig(dir);
        int h = shape.hidden();
        int kv = shape.kvHeads() * shape.headDim();
        try (SafetensorsWriter w = new SafetensorsWriter(dir.resolve(Checkpoint.SINGLE_FILE))) {
            w.putMetadata("format", "pt");
            w.putMetadata("qins.synthetic", "seed=" + seed);
            matrix(w, "model.embed_tokens.weight", shape.vocab(), h, 1.0f);
            for (int l = 0; l < shape.layers(); l++) {
                String p = "model.layers." + l + ".";
                norm(w, p + "input_layernorm.weight");
                matrix(w, p + "self_attn.q_proj.weight", h, h, 0.02f * 3);
                matrix(w, p + "self_attn.k_proj.weight", kv, h, 0.02f * 3);
                matrix(w, p + "self_attn.v_proj.weight", kv, h, 0.02f);
                matrix(w, p + "self_attn.o_proj.weight", h, h, 0.02f);
                norm(w, p + "post_attention_layernorm.weight");
                matrix(w, p + "mlp.gate_proj.weight", shape.intermediate(), h, 0.02f);
                matrix(w, p + "mlp.up_proj.weight", shape.intermediate(), h, 0.02f);
                matrix(w, p + "mlp.down_proj.weight", h, shape.intermediate(), 0.02f);
            }
            norm(w, "model.norm.weight");
            // A peaked head: logits with a standard deviation of about 3.
            matrix(w, "lm_head.weight", shape.vocab(), h, (float) (3.0 / Math.sqrt(h)));
        }
    }

    private void writeConfig(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", shape.hidden());
        c.put("intermediate_size", shape.intermediate());
        c.put("num_hidden_layers", shape.layers());
        c.put("num_attention_heads", shape.heads());
        c.put("num_key_value_heads", shape.kvHeads());
        c.put("head_dim", shape.headDim());
        c.put("vocab_size", shape.vocab());
        c.put("max_position_embeddings", 2048);
        c.put("rms_norm_eps", 1e-5);
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", false);
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        c.put("torch_dtype", dtype == DType.F32 ? "float32" : dtype == DType.F16 ? "float16" : "bfloat16");
        ObjectNode rope = c.putObject("rope_parameters");
        rope.put("rope_type", "default");
        rope.put("rope_theta", 10000.0);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
        ObjectNode g = json.createObjectNode();
        g.put("bos_token_id", 1);
        g.put("eos_token_id", 2);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("generation_config.json").toFile(), g);
    }

    private long tensorSeed(String name) {
        return seed * 0x9E3779B97F4A7C15L + name.hashCode();
    }

    private void matrix(SafetensorsWriter w, String name, int rows, int cols, float std) {
        MemorySegment data = MemorySegment.ofArray(new byte[Math.multiplyExact(rows * cols, dtype.bytes())]);
        long base = tensorSeed(name);
        IntStream.range(0, rows).parallel().forEach(r -> {
            SplittableRandom rnd = new SplittableRandom(base + r * 0x632BE59BD9B4E019L);
            float rowScale = (float) Math.exp(0.5 * rnd.nextGaussian());
            for (int c = 0; c < cols; c++) {
                float v = (float) rnd.nextGaussian() * std * rowScale;
                if (rnd.nextInt(1000) == 0) {
                    v *= 8; // rare large weights, as trained models have
                }
                put(data, (long) r * cols + c, v);
            }
        });
        w.add(name, dtype, new long[] {rows, cols}, data);
    }

    private void norm(SafetensorsWriter w, String name) {
        int n = shape.hidden();
        MemorySegment data = MemorySegment.ofArray(new byte[n * dtype.bytes()]);
        SplittableRandom rnd = new SplittableRandom(tensorSeed(name));
        for (int i = 0; i < n; i++) {
            put(data, i, (float) Math.exp(0.3 * rnd.nextGaussian()));
        }
        w.add(name, dtype, new long[] {n}, data);
    }

    private void put(MemorySegment data, long i, float v) {
        switch (dtype) {
            case F32 -> data.setAtIndex(F32, i, v);
            case F16 -> data.setAtIndex(I16, i, Float.floatToFloat16(v));
            case BF16 -> data.setAtIndex(I16, i, bf16(v));
            default -> throw new IllegalStateException(dtype.toString());
        }
    }

    /** Round-to-nearest-even float32 -> bfloat16. */
    static short bf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
