package org.qins.transformer.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * llama.cpp's converter stores Llama's q and k projections (weights and biases) with each head's rows
 * reordered for its interleaved-pair RoPE: Hugging Face row {@code half * D/2 + i} of a head of size D
 * becomes row {@code 2i + half}. The engine rotates halves, as transformers does, so those rows are put
 * back. Rows are moved as bytes, so this holds for float and Q8_0 rows alike.
 */
final class QkRows {

    private QkRows() {
    }

    /** Hugging Face row {@code r} of a head-major tensor with heads of {@code headDim} rows: the GGUF row it was stored at. */
    static long ggufRow(long r, int headDim) {
        long head = r / headDim;
        int inHead = (int) (r % headDim);
        int half = inHead / (headDim / 2);
        int i = inHead % (headDim / 2);
        return head * headDim + 2L * i + half;
    }

    /** The rows of {@code data} ({@code rows} rows of equal size) in Hugging Face order, copied into {@code arena}. */
    static MemorySegment unpermute(MemorySegment data, long rows, int headDim, Arena arena) {
        if (rows % headDim != 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException(rows + " rows are not whole heads of " + headDim + " (an even size)");
        }
        long rowBytes = data.byteSize() / rows;
        MemorySegment out = arena.allocate(data.byteSize(), 64);
        for (long r = 0; r < rows; r++) {
            MemorySegment.copy(data, ggufRow(r, headDim) * rowBytes, out, r * rowBytes, rowBytes);
        }
        return out;
    }
}
