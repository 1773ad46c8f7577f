package org.qins.transformer.gguf;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.qins.api.DType;
import org.qins.api.LayerSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.checkpoint.FiniteCheck;
import org.qins.transformer.checkpoint.StoredFormats;
import org.qins.transformer.config.ModelConfig;

/**
 * A GGUF file's tensors as a {@link Checkpoint} under the family's names ({@link GgufTensorNames}), so the
 * loader and the converter read it as they read safetensors. F32, F16 and BF16 tensors are views of the
 * mapped file. A Q8_0 linear weight becomes an encoded weight of format {@link Q8_0Format} (its blocks,
 * not copied); a Q8_0 embedding is decoded to float32 once, as the engine keeps embeddings float. For the
 * GGUF architecture {@code llama}, q and k rows are put back in Hugging Face order ({@link QkRows}).
 * Tensors consumed by the config (rope factors) are left out; any other unknown tensor is refused.
 */
public final class GgufTensors {

    private GgufTensors() {
    }

    /** The checkpoint of {@code f} for {@code config} (which {@link GgufConfig} gave); it closes {@code f} when closed. */
    public static Checkpoint checkpoint(GgufFile f, ModelConfig config) {
        Architecture arch = config.architecture();
        Map<String, String> names = GgufTensorNames.of(arch, config.layers());
        Set<String> linearBases = new LinkedHashSet<>(arch.blockLinears(config.layers()));
        linearBases.add(arch.head());
        Map<String, LayerSpec> linears = config.linearSpecs();
        boolean permuted = GgufConfig.architecture(f).equals("llama");
        Map<String, TensorView> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (GgufTensorInfo t : f.tensors().values()) {
            if (t.name().equals(GgufConfig.ROPE_FREQS) || t.name().equals(GgufConfig.ROPE_LONG) || t.name().equals(GgufConfig.ROPE_SHORT)) {
                continue;
            }
            String name = names.get(t.name());
            if (name == null) {
                throw new CheckpointException(f.path() + ": tensor " + t.describe() + " is not part of a " + config.layers() + "-layer "
                        + GgufConfig.architecture(f) + " model");
            }
            String base = name.substring(0, name.lastIndexOf('.'));
            checkShape(f, t, linears.get(base), name);
            if (t.type() == GgmlType.Q8_0) {
                checkScales(f, t);
            }
            MemorySegment data = t.data();
            boolean qOrK = t.name().contains(".attn_q.") || t.name().contains(".attn_k.");
            if (permuted && qOrK) {
                data = unpermute(f, t, config.headDim());
            }
            if (t.type() == GgmlType.Q8_0 && name.endsWith(".weight") && linearBases.contains(base) && t.shape().length == 2) {
                StoredWeight w = Q8_0Format.stored(base, t.shape()[0], t.shape()[1], data);
                metadata.put(StoredFormats.formatKey(base), w.format());
                w.parts().forEach((part, view) -> tensors.put(base + "." + part, view));
            } else {
                tensors.put(name, view(f, t, name, data));
            }
        }
        return Checkpoint.of(f.path(), tensors, metadata, f::close);
    }

    /** A linear weight or bias must have the shape the config gives its layer. */
    private static void checkShape(GgufFile f, GgufTensorInfo t, LayerSpec spec, String name) {
        if (spec == null) {
            return;
        }
        long[] expected = name.endsWith(".bias") ? new long[] {spec.outFeatures()} : new long[] {spec.outFeatures(), spec.inFeatures()};
        if (!java.util.Arrays.equals(t.shape(), expected)) {
            throw new CheckpointException(f.path() + ": tensor " + t.describe() + " (" + name + ") should have shape "
                    + java.util.Arrays.toString(expected) + " for the model its metadata describes");
        }
    }

    /** Q8_0 scales must be finite and, times 127, within the engine's weight limit (as float weights are, FiniteCheck). */
    private static void checkScales(GgufFile f, GgufTensorInfo t) {
        long bad = Q8_0Blocks.firstBadScale(t.data(), FiniteCheck.MAX_WEIGHT / 127);
        if (bad >= 0) {
            long perRow = t.rowLength() / Q8_0Blocks.BLOCK;
            throw new CheckpointException(f.path() + ": tensor " + t.describe() + ": Q8_0 block " + bad % perRow + " of row " + bad / perRow
                    + " has scale " + Float.float16ToFloat(t.data().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED
                            .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), bad * Q8_0Blocks.BLOCK_BYTES)) + " (must be finite)");
        }
    }

    private static MemorySegment unpermute(GgufFile f, GgufTensorInfo t, int headDim) {
        try {
            return QkRows.unpermute(t.data(), t.shape()[0], headDim, f.arena());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(f.path() + ": tensor " + t.describe() + ": " + e.getMessage());
        }
    }

    private static TensorView view(GgufFile f, GgufTensorInfo t, String name, MemorySegment data) {
        return switch (t.type()) {
            case F32 -> new TensorView(name, DType.F32, t.shape(), data);
            case F16 -> new TensorView(name, DType.F16, t.shape(), data);
            case BF16 -> new TensorView(name, DType.BF16, t.shape(), data);
            case Q8_0 -> {
                try {
                    yield new TensorView(name, DType.F32, t.shape(), Q8_0Blocks.dequantize(data, t.rows(), t.rowLength(), f.arena(),
                            f.path() + ": tensor '" + t.name() + "'"));
                } catch (IllegalArgumentException e) {
                    throw new CheckpointException(e.getMessage());
                }
            }
        };
    }
}
