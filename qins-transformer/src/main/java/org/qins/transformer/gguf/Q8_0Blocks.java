package org.qins.transformer.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * ggml's Q8_0 blocks: 32 weights as an fp16 scale {@code d} and 32 signed bytes {@code q}, each weight
 * {@code d * q}; a row of {@code n} weights is {@code n / 32} blocks of 34 bytes.
 */
public final class Q8_0Blocks {

    public static final int BLOCK = 32;
    public static final int BLOCK_BYTES = 34;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Q8_0Blocks() {
    }

    /** Bytes of one row of {@code cols} weights ({@code cols} a multiple of 32). */
    public static long rowBytes(long cols) {
        return cols / BLOCK * BLOCK_BYTES;
    }

    /**
     * The {@code rows x cols} weights of {@code blocks} as little-endian float32 in {@code arena}; a block whose
     * scale is not finite is refused naming {@code what}, the row and the block.
     */
    public static MemorySegment dequantize(MemorySegment blocks, long rows, long cols, Arena arena, String what) {
        MemorySegment out = arena.allocate(Math.multiplyExact(rows * cols, 4L), 64);
        long perRow = cols / BLOCK;
        for (long b = 0, n = rows * perRow; b < n; b++) {
            long at = b * BLOCK_BYTES;
            float d = Float.float16ToFloat(blocks.get(F16, at));
            if (!Float.isFinite(d)) {
                throw new IllegalArgumentException(what + ": Q8_0 block " + (b % perRow) + " of row " + (b / perRow) + " has scale " + d
                        + " (must be finite)");
            }
            for (int i = 0; i < BLOCK; i++) {
                out.setAtIndex(F32, b * BLOCK + i, d * blocks.get(ValueLayout.JAVA_BYTE, at + 2 + i));
            }
        }
        return out;
    }

    /** Index of the first block whose scale is NaN, infinite or beyond {@code maxScale}, or -1. */
    public static long firstBadScale(MemorySegment blocks, float maxScale) {
        for (long b = 0, n = blocks.byteSize() / BLOCK_BYTES; b < n; b++) {
            float d = Float.float16ToFloat(blocks.get(F16, b * BLOCK_BYTES));
            if (!(Math.abs(d) <= maxScale)) {
                return b;
            }
        }
        return -1;
    }

    /**
     * Quantizes one block as llama.cpp's reference does: {@code d = max|x| / 127}, {@code q = round(x / d)}
     * (half away from zero, with the float reciprocal), {@code d} stored as fp16.
     */
    public static void quantizeBlock(float[] x, int from, MemorySegment out, long at) {
        float amax = 0;
        for (int i = 0; i < BLOCK; i++) {
            amax = Math.max(amax, Math.abs(x[from + i]));
        }
        float d = amax / 127f;
        float id = d != 0 ? 1f / d : 0f;
        out.set(F16, at, Float.floatToFloat16(d));
        for (int i = 0; i < BLOCK; i++) {
            float v = x[from + i] * id;
            out.set(ValueLayout.JAVA_BYTE, at + 2 + i, (byte) (v < 0 ? -Math.round(-v) : Math.round(v)));
        }
    }
}
