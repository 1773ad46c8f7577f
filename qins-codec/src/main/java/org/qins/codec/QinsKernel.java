package org.qins.codec;

/** Decodes rows of one {@link QinsTensor} and takes their dot products. One instance per layer; thread-safe. */
interface QinsKernel {

    /** {@code sum_i W[row][i] * x[xOff + i]}; {@code scratch} holds at least {@code cols} floats. */
    float dotRow(int row, float[] x, int xOff, float[] scratch);

    /**
     * The {@code batch} input vectors {@code x} as {@link #dotRows} and {@link #dotRowsBatch} take them: {@code x}
     * itself by default; a kernel that wants them rearranged (the native loops) does it here, once per product,
     * on the calling thread, instead of once per row chunk. The result is read by every thread of the product.
     */
    default float[] prepareInput(float[] x, int batch) {
        return x;
    }

    /**
     * {@code out[o] = sum_i W[o][i] * x[i]} for {@code o} in {@code [from, to)}; {@code x} from {@link #prepareInput};
     * {@code scratch} as for {@link #dotRow}.
     */
    default void dotRows(int from, int to, float[] x, float[] out, float[] scratch) {
        for (int o = from; o < to; o++) {
            out[o] = dotRow(o, x, 0, scratch);
        }
    }

    /**
     * The largest batch {@link #dotRowsBatch} should take: it decodes each weight once for several input vectors, and
     * up to this many inputs that is cheaper than decoded tiles (measured per kernel); 0 where it does not fuse.
     */
    default int fusedBatchLimit() {
        return 0;
    }

    /**
     * {@code out[b * outStride + o] = sum_i W[o][i] * x[b * cols + i]} for {@code o} in
     * {@code [from, to)} and {@code b < batch} ({@code cols}: the row length); {@code x} from {@link #prepareInput}.
     */
    default void dotRowsBatch(int from, int to, float[] x, int cols, int batch, float[] out, int outStride, float[] scratch) {
        for (int b = 0; b < batch; b++) {
            for (int o = from; o < to; o++) {
                out[b * outStride + o] = dotRow(o, x, b * cols, scratch);
            }
        }
    }

    /**
     * Rows per tile of {@link #prefillRows}, or 0 when this kernel has no prefill product of its own (the layer
     * then decodes rows into tiles for {@code VectorMath.matmulPacked}).
     */
    default int prefillTileRows() {
        return 0;
    }

    /** The batch {@code x} packed for {@link #prefillRows}, once per product on the calling thread. */
    default float[] packBatch(float[] x, int batch) {
        throw new UnsupportedOperationException(name() + " has no prefill product");
    }

    /**
     * {@code out[b * outStride + o] = sum_i W[o][i] * x[b * cols + i]} for {@code o} in {@code [from, to)} and
     * {@code b < batch}, {@code packed} from {@link #packBatch}; {@code tile} holds {@link #prefillTileRows()} rows.
     */
    default void prefillRows(int from, int to, float[] packed, int batch, float[] out, int outStride, float[] tile) {
        throw new UnsupportedOperationException(name() + " has no prefill product");
    }

    /** Decodes row {@code row} into {@code dst[0, cols)}. */
    default void decodeRow(int row, float[] dst) {
        decodeRow(row, dst, 0);
    }

    /** Decodes row {@code row} into {@code dst[off, off+cols)}. */
    void decodeRow(int row, float[] dst, int off);

    /** Dot product of an already decoded row with {@code x[xOff..]}. */
    float dotDecoded(float[] w, float[] x, int xOff, int n);

    String name();

    /** Bytes of the indexes this kernel keeps beside the codes (e.g. the zero-code list); part of resident memory. */
    default long indexBytes() {
        return 0;
    }
}
