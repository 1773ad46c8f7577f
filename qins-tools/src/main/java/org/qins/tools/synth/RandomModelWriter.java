package org.qins.tools.synth;

import org.qins.transformer.io.AtomicFiles;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.qins.api.DType;
import org.qins.transformer.checkpoint.ShardedCheckpointWriter;
import org.qins.tools.synth.ModelShape.Family;

/**
 * Writes a deterministic random model of a {@link ModelShape}: the same seed and shape give the same
 * bytes on every machine and thread count (each row draws from its own generator). The weights imitate
 * trained ones like the reference fixtures: N(0, 0.02) with a lognormal scale per row, 0.1 % of
 * entries x8, lognormal RMSNorm weights, sharper q/k and a peaked output head. Tensors are generated
 * and written a block of rows at a time (at most {@value #PIECE_BYTES} bytes in memory) into shards
 * of at most {@link ShardedCheckpointWriter#HUB_SHARD_BYTES}, as the Hub shards checkpoints.
 */
public final class RandomModelWriter {

    /** The safetensors metadata key that records the seed ({@code seed=S}). */
    public static final String SYNTHETIC_KEY = "qins.synthetic";
    private static final int PIECE_BYTES = 32 << 20;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ModelShape shape;
    private final long seed;
    private final DType dtype;
    private final long shardBytes;

    public RandomModelWriter(ModelShape shape, long seed, DType dtype) {
        this(shape, seed, dtype, ShardedCheckpointWriter.HUB_SHARD_BYTES);
    }

    /** A writer whose shards hold at most {@code shardBytes} of tensor data each. */
    public RandomModelWriter(ModelShape shape, long seed, DType dtype, long shardBytes) {
        if (!dtype.isFloat()) {
            throw new IllegalArgumentException("random models are written in F32, F16 or BF16, not " + dtype);
        }
        if (shardBytes <= 0) {
            throw new IllegalArgumentException("shard size must be > 0, got " + shardBytes);
        }
        this.shape = shape;
        this.seed = seed;
        this.dtype = dtype;
        this.shardBytes = shardBytes;
    }

    /** What this writer writes, as {@link SynthIdentity#read} describes a written model. */
    public String identity() {
        return SynthIdentity.describe(shape, dtype, seed);
    }

    /**
     * Writes the model into {@code dir} unless it is already there: the files go to a temporary
     * sibling directory that is renamed to {@code dir} when complete, so an interrupted run leaves
     * no half-written model. Returns true when it wrote, false when {@code dir} already held this
     * model (same shape, dtype and seed); a complete model of anything else is refused, naming what
     * is there and what was asked.
     */
    public boolean writeIfAbsent(Path dir) throws IOException {
        if (SynthIdentity.isComplete(dir)) {
            String present = SynthIdentity.read(dir);
            if (!present.equals(identity())) {
                throw new IllegalArgumentException(dir + " holds " + present + ", not the asked " + identity()
                        + "; choose another --output or remove it");
            }
            return false;
        }
        if (Files.exists(dir)) {
            throw new IOException(dir + " exists but holds no complete model; remove it");
        }
        Path tmp = AtomicFiles.newTempDirectory(dir); // a killed run's leftover is removed here
        Thread cleanup = new Thread(() -> deleteQuietly(tmp), "qins-synth-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C: no temporary directory left behind
        try {
            write(tmp);
            Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Writes config.json, generation_config.json and the weights (one file or shards + index) into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        new SynthConfig(shape, dtype).write(dir);
        int h = shape.hidden();
        int q = shape.heads() * shape.headDim();
        int kv = shape.kvHeads() * shape.headDim();
        int inter = shape.intermediate();
        ShardedCheckpointWriter w = new ShardedCheckpointWriter(dir, shardBytes);
        try {
            w.putSharedMetadata("format", "pt");
            w.putSharedMetadata(SYNTHETIC_KEY, "seed=" + seed);
            matrix(w, "model.embed_tokens.weight", shape.vocab(), h, rows -> 1.0f);
            for (int l = 0; l < shape.layers(); l++) {
                String p = "model.layers." + l + ".";
                norm(w, p + "input_layernorm.weight");
                if (shape.family() == Family.PHI3) {
                    // [q; k; v] rows, each part as sharp as the separate projections.
                    matrix(w, p + "self_attn.qkv_proj.weight", q + 2 * kv, h, r -> r < q + kv ? 0.02f * 3 : 0.02f);
                    matrix(w, p + "self_attn.o_proj.weight", h, q, r -> 0.02f);
                    norm(w, p + "post_attention_layernorm.weight");
                    matrix(w, p + "mlp.gate_up_proj.weight", 2 * inter, h, r -> 0.02f);
                } else {
                    matrix(w, p + "self_attn.q_proj.weight", q, h, r -> 0.02f * 3);
                    matrix(w, p + "self_attn.k_proj.weight", kv, h, r -> 0.02f * 3);
                    matrix(w, p + "self_attn.v_proj.weight", kv, h, r -> 0.02f);
                    matrix(w, p + "self_attn.o_proj.weight", h, q, r -> 0.02f);
                    norm(w, p + "post_attention_layernorm.weight");
                    matrix(w, p + "mlp.gate_proj.weight", inter, h, r -> 0.02f);
                    matrix(w, p + "mlp.up_proj.weight", inter, h, r -> 0.02f);
                }
                matrix(w, p + "mlp.down_proj.weight", h, inter, r -> 0.02f);
            }
            norm(w, "model.norm.weight");
            // A peaked head: logits with a standard deviation of about 3.
            float headStd = (float) (3.0 / Math.sqrt(h));
            matrix(w, "lm_head.weight", shape.vocab(), h, r -> headStd);
            w.close();
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
    }

    /** The standard deviation of a row, before its lognormal scale. */
    @FunctionalInterface
    private interface RowStd {
        float of(int row);
    }

    private long tensorSeed(String name) {
        return seed * 0x9E3779B97F4A7C15L + name.hashCode();
    }

    private void matrix(ShardedCheckpointWriter w, String name, int rows, int cols, RowStd std) {
        long base = tensorSeed(name);
        int rowBytes = Math.multiplyExact(cols, dtype.bytes());
        int block = Math.max(1, Math.min(rows, PIECE_BYTES / rowBytes));
        w.add(name, dtype, new long[] {rows, cols}, sink -> {
            MemorySegment buf = MemorySegment.ofArray(new byte[Math.multiplyExact(block, rowBytes)]);
            for (int r0 = 0; r0 < rows; r0 += block) {
                int n = Math.min(block, rows - r0);
                int first = r0;
                IntStream.range(0, n).parallel().forEach(i -> {
                    int r = first + i;
                    SplittableRandom rnd = new SplittableRandom(base + r * 0x632BE59BD9B4E019L);
                    float rowScale = (float) Math.exp(0.5 * rnd.nextGaussian());
                    float s = std.of(r);
                    for (int c = 0; c < cols; c++) {
                        float v = (float) rnd.nextGaussian() * s * rowScale;
                        if (rnd.nextInt(1000) == 0) {
                            v *= 8; // rare large weights, as trained models have
                        }
                        put(buf, (long) i * cols + c, v);
                    }
                });
                sink.write(buf.asSlice(0, (long) n * rowBytes));
            }
        });
    }

    private void norm(ShardedCheckpointWriter w, String name) {
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
