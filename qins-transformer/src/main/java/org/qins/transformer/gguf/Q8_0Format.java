package org.qins.transformer.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import org.qins.api.DType;
import org.qins.api.LayerSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;

/**
 * GGUF's Q8_0 as a weight format, so that a Q8_0 GGUF loads without copying: the part {@value #BLOCKS}
 * holds the file's blocks, U8 {@code [rows, cols / 32 * 34]} ({@link Q8_0Blocks}). No provider computes
 * over it: a layer is decoded to float32 once at load ({@code --linear fp32}) or, for a QINS layer,
 * encoded to QINS from those decoded values.
 */
public final class Q8_0Format implements WeightFormat {

    public static final String NAME = "gguf-q8_0";
    public static final String BLOCKS = "blocks";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "GGUF Q8_0 blocks (fp16 scale + 32 int8 per 32 inputs, 1.0625 B/weight), read from .gguf files; decoded at load";
    }

    /** The stored weight of {@code blocks} (a GGUF tensor's bytes) for layer {@code name}. */
    public static StoredWeight stored(String name, long rows, long cols, MemorySegment blocks) {
        TensorView t = new TensorView(name + "." + BLOCKS, DType.U8, new long[] {rows, Q8_0Blocks.rowBytes(cols)}, blocks);
        return new StoredWeight(name, NAME, Map.of(BLOCKS, t), Map.of());
    }

    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, Options options) {
        spec.checkShape(weight);
        int rows = spec.outFeatures();
        int cols = spec.inFeatures();
        if (cols % Q8_0Blocks.BLOCK != 0) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': Q8_0 needs rows of whole blocks of 32, got " + cols);
        }
        MemorySegment out = Arena.ofAuto().allocate(rows * Q8_0Blocks.rowBytes(cols));
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            weight.copyFloats((long) r * cols, row, 0, cols);
            for (int b = 0; b < cols / Q8_0Blocks.BLOCK; b++) {
                Q8_0Blocks.quantizeBlock(row, b * Q8_0Blocks.BLOCK, out, r * Q8_0Blocks.rowBytes(cols) + b * Q8_0Blocks.BLOCK_BYTES);
            }
        }
        return stored(spec.name(), rows, cols, out);
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        TensorView blocks = stored.part(BLOCKS);
        long rows = spec.outFeatures();
        long cols = spec.inFeatures();
        long[] expected = {rows, Q8_0Blocks.rowBytes(cols)};
        if (cols % Q8_0Blocks.BLOCK != 0 || blocks.dtype() != DType.U8 || !Arrays.equals(blocks.shape(), expected)) {
            throw new IllegalArgumentException("weight '" + spec.name() + "': part " + blocks + " should be U8" + Arrays.toString(expected)
                    + " (Q8_0 blocks of " + rows + " x " + cols + " weights)");
        }
        MemorySegment f = Q8_0Blocks.dequantize(blocks.data(), rows, cols, Arena.ofAuto(), "weight '" + spec.name() + "'");
        return new TensorView(spec.name(), DType.F32, new long[] {rows, cols}, f);
    }
}
