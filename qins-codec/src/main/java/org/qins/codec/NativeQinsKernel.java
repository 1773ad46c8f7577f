package org.qins.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.qins.api.kernel.NativeLibrary;
import org.qins.api.kernel.ThreadScratch;
import org.qins.api.kernel.VectorMath;

/**
 * qins9 and qins8 rows through the native AVX-512 loops ({@link NativeKernels}, {@code src/main/c/qins_kernels.c}):
 * the row products, the batched products (each group decoded once for up to eight input vectors), the prefill
 * product and the row decode. The same table scheme as the Vector API kernels' 16-bit-lane loops
 * ({@link LutVectorKernel}).
 *
 * <p>With {@code bf16} (the provider's {@code kernel=bf16}) the one-vector products, which decode every weight once
 * per token, round the decoded weights and the input to bf16 and multiply with AVX-512 BF16 dot products
 * ({@code qins_dot_rows_bf16}): fewer operations per weight, at a cost in accuracy the tests bound. Every other
 * product stays exact.
 */
final class NativeQinsKernel implements QinsKernel {

    /** The loops' permuted inputs, in the scratch of the thread that prepares them: rows {@link #XP_SKEW} floats longer than the padded input (qins_kernels.c). */
    private static final ThreadScratch XP = new ThreadScratch();
    private static final int XP_SKEW = 48;
    /** The prefill product's packed batch, in the scratch of the thread that packs it. */
    private static final ThreadScratch PACKED = new ThreadScratch();
    /** The bf16 product's input, two bf16 values per float, in the scratch of the thread that prepares it. */
    private static final ThreadScratch XB = new ThreadScratch();

    private final QinsTensor t;
    private final MemorySegment codes;
    private final MemorySegment signs;
    private final MemorySegment scales;
    private final int cols;
    private final long signStride;
    private final long rangeRowStride;
    private final MemorySegment hiTable;
    private final MemorySegment loTable;
    private final int hiShift;
    /** bf16 of code j + 1's unscaled magnitude plus (j << hiShift), j < 32 (qins_kernels.c), or null without bf16. */
    private final MemorySegment bf16Table;

    NativeQinsKernel(QinsTensor t) {
        this(t, false);
    }

    /** {@code bf16}: the one-vector products in bf16 (refused where this CPU lacks the instructions). */
    NativeQinsKernel(QinsTensor t, boolean bf16) {
        String kernel = bf16 ? "kernel bf16" : "kernel native";
        if (!NativeKernels.available()) {
            throw new IllegalArgumentException("layer '" + t.name + "': " + kernel + ": native kernels " + NativeKernels.status());
        }
        if (!supports(t)) {
            throw new IllegalArgumentException("layer '" + t.name + "': " + kernel + " needs qins9 or qins8 blocks of 32"
                    + " with fp16 scales and the default code width; this one is " + t.format + ", " + t.rows + "x" + t.cols);
        }
        if (bf16 && !NativeKernels.bf16Available()) {
            throw new IllegalArgumentException("layer '" + t.name + "': kernel bf16: the bf16 product is "
                    + NativeKernels.bf16Status());
        }
        this.t = t;
        this.codes = NativeLibrary.unscoped(t.codes);
        this.signs = t.signs == null ? MemorySegment.NULL : NativeLibrary.unscoped(t.signs);
        this.scales = NativeLibrary.unscoped(t.scales);
        this.cols = t.cols;
        this.signStride = t.signs == null ? 0 : t.signStride;
        this.rangeRowStride = t.rangeRowStride;
        int[] tab = LutVectorKernel.bitTable(t, 32);
        this.hiTable = Arena.ofAuto().allocate(64, 64);
        this.loTable = Arena.ofAuto().allocate(64, 64);
        for (int k = 0; k < 32; k++) {
            hiTable.setAtIndex(ValueLayout.JAVA_SHORT, k, (short) (tab[k] >>> 16));
            loTable.setAtIndex(ValueLayout.JAVA_SHORT, k, (short) tab[k]);
        }
        this.hiShift = LutVectorKernel.expShift(t) - 16;
        this.bf16Table = bf16 ? bf16Table(tab, LutVectorKernel.expShift(t), hiShift) : null;
    }

    /**
     * Entry j: the bf16 (nearest, ties to even) of code j + 1's unscaled magnitude {@code tab[c mod 32] - (c << expShift)},
     * plus {@code j << hiShift}: the loop subtracts {@code (c - 1) << hiShift} from entry (c - 1) mod 32.
     */
    private static MemorySegment bf16Table(int[] tab, int expShift, int hiShift) {
        MemorySegment m = Arena.ofAuto().allocate(64, 64);
        for (int j = 0; j < 32; j++) {
            int c = j + 1;
            int bits = tab[c % 32] - (c << expShift);
            int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
            m.setAtIndex(ValueLayout.JAVA_SHORT, j, (short) (rounded + (j << hiShift)));
        }
        return m;
    }

    /** {@code cols} rounded up to whole groups of 32 (the loops' input rows, a partial last group padded with zeros). */
    private static int padded(int cols) {
        return (cols + 31) & -32;
    }

    /** True if the native loops decode this tensor (whether the library is loaded is {@link NativeKernels#available()}). */
    static boolean supports(QinsTensor t) {
        if (t.sharedTable == null || t.groupLength != 32 || !t.f16Scales || t.rangeRowStride != padded(t.cols) / 32) {
            return false;
        }
        int p = DecodeTable.codesPerOctave(t.sharedStep);
        boolean qins8 = t.format.layout().signInCode();
        // qins9: sign plane, 32 codes per octave; qins8: sign in bit 7, 16 codes per octave (the 32-entry table holds
        // two octaves); the deepest octave must stay a normal float
        return qins8 ? t.signs == null && p == 16 && t.format.layout().maxCode() == 127
                : t.signs != null && p == 32 && (t.format.layout().maxCode() >>> 5) < 100;
    }

    /**
     * One row against {@code x[xOff ..]} (not on the layer's paths, which take {@link #dotRows}): the input prepared
     * as for a product, then the row's codes, signs and scales passed as a one-row tensor.
     */
    @Override
    public float dotRow(int row, float[] x, int xOff, float[] scratch) {
        float[] out = new float[1];
        MemorySegment rowSigns = t.signs == null ? signs : signs.asSlice(row * signStride, signStride);
        product(codes.asSlice((long) row * cols, cols), rowSigns, scales.asSlice(2 * row * rangeRowStride, 2 * rangeRowStride),
                0, 1, prepare(MemorySegment.ofArray(x).asSlice(4L * xOff), 1), out);
        return out[0];
    }

    /**
     * The permuted, padded inputs (qins_prepare) in the calling thread's scratch; with bf16, one input is rounded to
     * bf16 instead (qins_prepare_bf16), for {@link #dotRows}.
     */
    @Override
    public float[] prepareInput(float[] x, int batch) {
        return prepare(MemorySegment.ofArray(x), batch);
    }

    private float[] prepare(MemorySegment x, int batch) {
        try {
            if (bf16Table != null && batch == 1) {
                float[] xb = XB.floats(padded(cols) / 2);
                NativeKernels.PREPARE_BF16.invokeExact(x, cols, MemorySegment.ofArray(xb));
                return xb;
            }
            float[] xp = XP.floats(batch * (padded(cols) + XP_SKEW));
            NativeKernels.PREPARE.invokeExact(x, cols, batch, MemorySegment.ofArray(xp));
            return xp;
        } catch (Throwable e) {
            throw NativeLibrary.unchecked(e);
        }
    }

    @Override
    public void dotRows(int from, int to, float[] xp, float[] out, float[] scratch) {
        product(codes, signs, scales, from, to, xp, out);
    }

    /** The one-vector product over rows {@code [from, to)} of these codes, signs and scales: bf16 or exact. */
    private void product(MemorySegment codes, MemorySegment signs, MemorySegment scales, int from, int to, float[] xp, float[] out) {
        try {
            if (bf16Table != null) {
                NativeKernels.DOT_ROWS_BF16.invokeExact(codes, signs, scales, cols, signStride, rangeRowStride, bf16Table, hiShift,
                        from, to, MemorySegment.ofArray(xp), MemorySegment.ofArray(out));
            } else {
                NativeKernels.DOT_ROWS.invokeExact(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable,
                        hiShift, from, to, MemorySegment.ofArray(xp), MemorySegment.ofArray(out));
            }
        } catch (Throwable e) {
            throw NativeLibrary.unchecked(e);
        }
    }

    /**
     * The batched loop takes eight inputs per pass and beats the packed prefill product up to 24 inputs (5632 x 2048,
     * one thread, C harness, two rounds: 16 inputs 2.9/3.1 against 3.8/3.5 ms, 24 inputs 4.8/4.4 against 5.1/5.0 ms,
     * 32 inputs 5.9/6.2 against 5.4/5.1 ms).
     */
    @Override
    public int fusedBatchLimit() {
        return 24;
    }

    @Override
    public void dotRowsBatch(int from, int to, float[] xp, int xStride, int batch, float[] out, int outStride, float[] scratch) {
        try {
            NativeKernels.DOT_ROWS_BATCH.invokeExact(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift,
                    from, to, batch, MemorySegment.ofArray(xp), MemorySegment.ofArray(out), outStride);
        } catch (Throwable e) {
            throw NativeLibrary.unchecked(e);
        }
    }

    @Override
    public int prefillTileRows() {
        return NativeKernels.TILE_ROWS;
    }

    /** Panels of 64 batch lanes (qins_pack) in the calling thread's scratch. */
    @Override
    public float[] packBatch(float[] x, int batch) {
        int panels = (batch + NativeKernels.PANEL - 1) / NativeKernels.PANEL;
        float[] packed = PACKED.floats(Math.multiplyExact(panels * NativeKernels.PANEL, cols));
        try {
            NativeKernels.PACK.invokeExact(MemorySegment.ofArray(x), cols, batch, MemorySegment.ofArray(packed));
        } catch (Throwable e) {
            throw NativeLibrary.unchecked(e);
        }
        return packed;
    }

    @Override
    public void prefillRows(int from, int to, float[] packed, int batch, float[] out, int outStride, float[] tile) {
        try {
            NativeKernels.MATMUL.invokeExact(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift,
                    from, to, batch, MemorySegment.ofArray(packed), MemorySegment.ofArray(tile), MemorySegment.ofArray(out), outStride);
        } catch (Throwable e) {
            throw NativeLibrary.unchecked(e);
        }
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        try {
            NativeKernels.DECODE_ROWS.invokeExact(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift,
                    row, 1, MemorySegment.ofArray(dst).asSlice(4L * off));
        } catch (Throwable e) {
            throw NativeLibrary.unchecked(e);
        }
    }

    @Override
    public float dotDecoded(float[] w, float[] x, int xOff, int n) {
        return VectorMath.dot(w, 0, x, xOff, n);
    }

    @Override
    public String name() {
        return (t.signs == null ? "qins8" : "qins9") + "-native-avx512" + (bf16Table != null ? "-bf16" : "");
    }

}
