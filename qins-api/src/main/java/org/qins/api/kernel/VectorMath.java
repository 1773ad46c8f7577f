package org.qins.api.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.qins.api.Parallel;

/**
 * Vectorised float primitives. Species = the running CPU's widest (16 floats on AVX-512, 8 on AVX2).
 *
 * <p>Dot products keep four independent accumulators (FMA latency is 4 cycles; one chain would
 * cap a core at a quarter of its FMA rate). The {@code gemm} routines compute a block of
 * {@code rows x batch} dot products with a 4 x 4 register-blocked micro-kernel: per step, 4 weight
 * vectors and 4 input vectors feed 16 FMAs, so each weight row is read once per 4 batch vectors.
 */
public final class VectorMath {

    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    /** k-chunk of the blocked gemm: 4 weight rows x KC floats = 8 KiB stay in L1. */
    private static final int KC = 512;
    private static final ThreadScratch ACC = new ThreadScratch();

    private VectorMath() {
    }

    /** Weight rows per block of {@link #gemmPacked}. */
    public static final int PACKED_ROWS = 6;
    /**
     * Smallest batch for which {@link #gemmPacked} is used: narrower batches fill less than half of
     * its lanes (each panel is padded to whole vectors), and the 4 x 4 dot-product blocks of
     * {@link #gemm} do better there.
     */
    public static final int PACKED_MIN_BATCH = 8;
    /** Batch lanes of a full panel: four vectors. */
    private static final int PANEL = 4 * L;
    private static final ThreadScratch RESULTS = new ThreadScratch();
    private static final ThreadScratch PACKED = new ThreadScratch();
    private static final ThreadScratch ROWS = new ThreadScratch();

    /** Floats that {@link #packBatch} writes for {@code batch} vectors of length {@code n}. */
    public static int packedFloats(int batch, int n) {
        return (batch + L - 1) / L * L * n;
    }

    /**
     * Lays out {@code x} ({@code batch} vectors of {@code n}, one after the other) for {@link #gemmPacked}:
     * the batch is cut into panels of {@code 4L} vectors (the last one narrower, padded with zeros to
     * whole lanes), and each panel is stored k-major, its {@code width} inputs of column k side by side,
     * so the batch runs along the vector lanes.
     */
    public static void packBatch(float[] x, int batch, int n, float[] packed) {
        for (int b0 = 0; b0 < batch; b0 += PANEL) {
            int width = Math.min(PANEL, (batch - b0 + L - 1) / L * L);
            int base = b0 * n;
            for (int b = 0; b < width; b++) {
                if (b0 + b < batch) {
                    int src = (b0 + b) * n;
                    for (int k = 0; k < n; k++) {
                        packed[base + k * width + b] = x[src + k];
                    }
                } else {
                    for (int k = 0; k < n; k++) {
                        packed[base + k * width + b] = 0f;
                    }
                }
            }
        }
    }

    /**
     * {@code out[outOff + b*outStride + r] = sum_k tile[r*n + k] * x[b*n + k]} for {@code r < rows <=}
     * {@link #PACKED_ROWS} and {@code b < batch}, with x laid out by {@link #packBatch}. The weights are
     * broadcast one at a time against vectors of batch lanes, 6 rows x 4 vectors of accumulators in
     * registers, so each loaded input vector feeds 6 FMAs and no horizontal sums are needed (about
     * 1.5x the FMA rate of the dot-product blocks of {@link #gemm}). {@code tile} must hold
     * {@code PACKED_ROWS * n} floats: rows past {@code rows} are multiplied too, their results dropped.
     */
    public static void gemmPacked(float[] tile, int rows, int n, float[] packed, int batch, float[] out, int outOff,
            int outStride) {
        float[] res = RESULTS.floats(PACKED_ROWS * PANEL);
        for (int b0 = 0; b0 < batch; b0 += PANEL) {
            int vectors = Math.min(4, (batch - b0 + L - 1) / L);
            int width = vectors * L;
            int base = b0 * n;
            if (vectors == 4) {
                micro6x4(tile, n, packed, base, width, res);
                scatter(res, 4, rows, b0, Math.min(PANEL, batch - b0), out, outOff, outStride);
                continue;
            }
            int v = 0;
            for (; v + 2 <= vectors; v += 2) {
                micro6x2(tile, n, packed, base + v * L, width, res);
                scatter(res, 2, rows, b0 + v * L, Math.min(2 * L, batch - b0 - v * L), out, outOff, outStride);
            }
            if (v < vectors) {
                micro6x1(tile, n, packed, base + v * L, width, res);
                scatter(res, 1, rows, b0 + v * L, Math.min(L, batch - b0 - v * L), out, outOff, outStride);
            }
        }
    }

    /** Results of a micro-kernel ({@code vectors} accumulators per row in {@code res}) to batch vectors {@code [b0, b0+count)}. */
    private static void scatter(float[] res, int vectors, int rows, int b0, int count, float[] out, int outOff, int outStride) {
        for (int r = 0; r < rows; r++) {
            int ro = r * vectors * L;
            for (int j = 0; j < count; j++) {
                out[outOff + (b0 + j) * outStride + r] = res[ro + j];
            }
        }
    }

    /** 6 rows x 4 vectors of batch lanes: 24 accumulators; per k, 4 panel loads and 6 weight broadcasts feed 24 FMAs. */
    private static void micro6x4(float[] w, int n, float[] p, int pOff, int stride, float[] res) {
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
        FloatVector a40 = FloatVector.zero(F), a41 = FloatVector.zero(F), a42 = FloatVector.zero(F), a43 = FloatVector.zero(F);
        FloatVector a50 = FloatVector.zero(F), a51 = FloatVector.zero(F), a52 = FloatVector.zero(F), a53 = FloatVector.zero(F);
        for (int k = 0; k < n; k++) {
            int xo = pOff + k * stride;
            FloatVector x0 = FloatVector.fromArray(F, p, xo), x1 = FloatVector.fromArray(F, p, xo + L), x2 = FloatVector.fromArray(F, p, xo + 2 * L), x3 = FloatVector.fromArray(F, p, xo + 3 * L);
            FloatVector w0 = FloatVector.broadcast(F, w[k]);
            a00 = w0.fma(x0, a00); a01 = w0.fma(x1, a01); a02 = w0.fma(x2, a02); a03 = w0.fma(x3, a03);
            FloatVector w1 = FloatVector.broadcast(F, w[n + k]);
            a10 = w1.fma(x0, a10); a11 = w1.fma(x1, a11); a12 = w1.fma(x2, a12); a13 = w1.fma(x3, a13);
            FloatVector w2 = FloatVector.broadcast(F, w[2 * n + k]);
            a20 = w2.fma(x0, a20); a21 = w2.fma(x1, a21); a22 = w2.fma(x2, a22); a23 = w2.fma(x3, a23);
            FloatVector w3 = FloatVector.broadcast(F, w[3 * n + k]);
            a30 = w3.fma(x0, a30); a31 = w3.fma(x1, a31); a32 = w3.fma(x2, a32); a33 = w3.fma(x3, a33);
            FloatVector w4 = FloatVector.broadcast(F, w[4 * n + k]);
            a40 = w4.fma(x0, a40); a41 = w4.fma(x1, a41); a42 = w4.fma(x2, a42); a43 = w4.fma(x3, a43);
            FloatVector w5 = FloatVector.broadcast(F, w[5 * n + k]);
            a50 = w5.fma(x0, a50); a51 = w5.fma(x1, a51); a52 = w5.fma(x2, a52); a53 = w5.fma(x3, a53);
        }
        a00.intoArray(res, 0); a01.intoArray(res, L); a02.intoArray(res, 2 * L); a03.intoArray(res, 3 * L);
        a10.intoArray(res, 4 * L); a11.intoArray(res, 5 * L); a12.intoArray(res, 6 * L); a13.intoArray(res, 7 * L);
        a20.intoArray(res, 8 * L); a21.intoArray(res, 9 * L); a22.intoArray(res, 10 * L); a23.intoArray(res, 11 * L);
        a30.intoArray(res, 12 * L); a31.intoArray(res, 13 * L); a32.intoArray(res, 14 * L); a33.intoArray(res, 15 * L);
        a40.intoArray(res, 16 * L); a41.intoArray(res, 17 * L); a42.intoArray(res, 18 * L); a43.intoArray(res, 19 * L);
        a50.intoArray(res, 20 * L); a51.intoArray(res, 21 * L); a52.intoArray(res, 22 * L); a53.intoArray(res, 23 * L);
    }

    /** 6 rows x 2 vectors of batch lanes: 12 accumulators; per k, 2 panel loads and 6 weight broadcasts feed 12 FMAs. */
    private static void micro6x2(float[] w, int n, float[] p, int pOff, int stride, float[] res) {
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
        FloatVector a40 = FloatVector.zero(F), a41 = FloatVector.zero(F);
        FloatVector a50 = FloatVector.zero(F), a51 = FloatVector.zero(F);
        for (int k = 0; k < n; k++) {
            int xo = pOff + k * stride;
            FloatVector x0 = FloatVector.fromArray(F, p, xo), x1 = FloatVector.fromArray(F, p, xo + L);
            FloatVector w0 = FloatVector.broadcast(F, w[k]);
            a00 = w0.fma(x0, a00); a01 = w0.fma(x1, a01);
            FloatVector w1 = FloatVector.broadcast(F, w[n + k]);
            a10 = w1.fma(x0, a10); a11 = w1.fma(x1, a11);
            FloatVector w2 = FloatVector.broadcast(F, w[2 * n + k]);
            a20 = w2.fma(x0, a20); a21 = w2.fma(x1, a21);
            FloatVector w3 = FloatVector.broadcast(F, w[3 * n + k]);
            a30 = w3.fma(x0, a30); a31 = w3.fma(x1, a31);
            FloatVector w4 = FloatVector.broadcast(F, w[4 * n + k]);
            a40 = w4.fma(x0, a40); a41 = w4.fma(x1, a41);
            FloatVector w5 = FloatVector.broadcast(F, w[5 * n + k]);
            a50 = w5.fma(x0, a50); a51 = w5.fma(x1, a51);
        }
        a00.intoArray(res, 0); a01.intoArray(res, L);
        a10.intoArray(res, 2 * L); a11.intoArray(res, 3 * L);
        a20.intoArray(res, 4 * L); a21.intoArray(res, 5 * L);
        a30.intoArray(res, 6 * L); a31.intoArray(res, 7 * L);
        a40.intoArray(res, 8 * L); a41.intoArray(res, 9 * L);
        a50.intoArray(res, 10 * L); a51.intoArray(res, 11 * L);
    }

    /** 6 rows x 1 vector of batch lanes: 6 accumulators; per k, 1 panel load and 6 weight broadcasts feed 6 FMAs. */
    private static void micro6x1(float[] w, int n, float[] p, int pOff, int stride, float[] res) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a40 = FloatVector.zero(F);
        FloatVector a50 = FloatVector.zero(F);
        for (int k = 0; k < n; k++) {
            int xo = pOff + k * stride;
            FloatVector x0 = FloatVector.fromArray(F, p, xo);
            FloatVector w0 = FloatVector.broadcast(F, w[k]);
            a00 = w0.fma(x0, a00);
            FloatVector w1 = FloatVector.broadcast(F, w[n + k]);
            a10 = w1.fma(x0, a10);
            FloatVector w2 = FloatVector.broadcast(F, w[2 * n + k]);
            a20 = w2.fma(x0, a20);
            FloatVector w3 = FloatVector.broadcast(F, w[3 * n + k]);
            a30 = w3.fma(x0, a30);
            FloatVector w4 = FloatVector.broadcast(F, w[4 * n + k]);
            a40 = w4.fma(x0, a40);
            FloatVector w5 = FloatVector.broadcast(F, w[5 * n + k]);
            a50 = w5.fma(x0, a50);
        }
        a00.intoArray(res, 0);
        a10.intoArray(res, L);
        a20.intoArray(res, 2 * L);
        a30.intoArray(res, 3 * L);
        a40.intoArray(res, 4 * L);
        a50.intoArray(res, 5 * L);
    }


    /** Per-thread accumulator scratch for {@code batch} vectors (16 vectors per group of 4). */
    private static float[] accumulators(int batch) {
        return ACC.floats((batch >>> 2) * 16 * L);
    }

    /** {@code sum a[aOff+i] * b[bOff+i]} for {@code i < n}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        for (int bound4 = n - 4 * L; i <= bound4; i += 4 * L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), acc1);
            acc2 = FloatVector.fromArray(F, a, aOff + i + 2 * L).fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), acc2);
            acc3 = FloatVector.fromArray(F, a, aOff + i + 3 * L).fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), acc3);
        }
        for (int bound = n - L; i <= bound; i += L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /** Dot product of {@code n} little-endian floats at byte offset {@code off} of {@code a} with {@code b}. */
    public static float dot(MemorySegment a, long off, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        for (int bound4 = n - 4 * L; i <= bound4; i += 4 * L) {
            long o = off + 4L * i;
            acc0 = FloatVector.fromMemorySegment(F, a, o, LE).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, a, o + 4L * L, LE).fma(FloatVector.fromArray(F, b, bOff + i + L), acc1);
            acc2 = FloatVector.fromMemorySegment(F, a, o + 8L * L, LE).fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), acc2);
            acc3 = FloatVector.fromMemorySegment(F, a, o + 12L * L, LE).fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), acc3);
        }
        for (int bound = n - L; i <= bound; i += L) {
            acc0 = FloatVector.fromMemorySegment(F, a, off + 4L * i, LE).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a.get(F32, off + 4L * i) * b[bOff + i];
        }
        return s;
    }

    /**
     * {@code y[b*rows + o] = W[o] . x[b*n ..]} for {@code b < batch}, with {@code W} as {@code rows x n}
     * little-endian float32 in {@code w}: rows split over {@code parallel}, a dot product per row for
     * one vector; for a batch the packed {@link #gemmPacked} over rows copied out six at a time (the register-blocked
     * {@link #gemm} below {@link #PACKED_MIN_BATCH}). The float32 layers (the float
     * reference, a decoded QINS copy) all multiply through here.
     */
    public static void matmul(MemorySegment w, int rows, int n, float[] x, float[] y, int batch, Parallel parallel) {
        if (batch == 1) {
            parallel.forRange(rows, 16, (from, to) -> {
                for (int o = from; o < to; o++) {
                    y[o] = dot(w, (long) o * n * 4, x, 0, n);
                }
            });
        } else if (batch < PACKED_MIN_BATCH) {
            parallel.forRange(rows, 16, (from, to) -> gemm(w, (long) from * n * 4, to - from, x, batch, n, y, from, rows));
        } else {
            matmulPacked((r0, count, tile) -> MemorySegment.copy(w, F32, (long) r0 * n * 4, tile, 0, count * n), rows, n, x, y,
                    batch, parallel);
        }
    }

    /** Writes weight rows {@code [r0, r0 + count)} as floats into {@code tile}, one row after the other. */
    @FunctionalInterface
    public interface RowTiles {
        void write(int r0, int count, float[] tile);
    }

    /**
     * The prefill product over weight rows from any source (float32, bfloat16, decoded codes): the batch
     * packed once by the caller ({@link #packBatch}), then per block of {@link #PACKED_ROWS} rows the rows
     * written into the thread's tile and {@link #gemmPacked} over it; blocks split over {@code parallel}.
     */
    public static void matmulPacked(RowTiles w, int rows, int n, float[] x, float[] y, int batch, Parallel parallel) {
        float[] packed = PACKED.floats(packedFloats(batch, n));
        packBatch(x, batch, n, packed);
        parallel.forRange((rows + PACKED_ROWS - 1) / PACKED_ROWS, 2, (from, to) -> {
            float[] tile = ROWS.floats(PACKED_ROWS * n);
            for (int blk = from; blk < to; blk++) {
                int r0 = blk * PACKED_ROWS;
                int rs = Math.min(PACKED_ROWS, rows - r0);
                w.write(r0, rs, tile);
                gemmPacked(tile, rs, n, packed, batch, y, r0, rows);
            }
        });
    }

    /**
     * {@link #matmul} with {@code W} as little-endian bfloat16, read where it lies: a bfloat16 is the top half of a
     * float32, so each weight is widened exactly in a register (one vector batch) or a row tile is widened into an L1
     * scratch for the register-blocked {@link #gemm} or the packed {@link #gemmPacked} (as {@link #matmul} chooses); the sums are formed as {@link #matmul}'s over the widened weights,
     * so the results are the same floats, from half the bytes.
     */
    public static void matmulBf16(MemorySegment w, int rows, int n, float[] x, float[] y, int batch, Parallel parallel) {
        if (batch == 1) {
            parallel.forRange(rows, 16, (from, to) -> {
                for (int o = from; o < to; o++) {
                    y[o] = dotBf16(w, (long) o * n * 2, x, 0, n);
                }
            });
        } else if (batch < PACKED_MIN_BATCH) {
            parallel.forRange(rows, 16, (from, to) -> {
                int tileRows = Math.max(4, Math.min(64, (TILE_FLOATS / Math.max(1, n)) & -4));
                float[] tile = BF16_TILE.floats(tileRows * n);
                for (int r = from; r < to; r += tileRows) {
                    int m = Math.min(tileRows, to - r);
                    widenBf16(w, (long) r * n * 2, tile, m * n);
                    gemm(tile, m, x, batch, n, y, r, rows);
                }
            });
        } else {
            matmulPacked((r0, count, tile) -> widenBf16(w, (long) r0 * n * 2, tile, count * n), rows, n, x, y, batch, parallel);
        }
    }

    /** Floats of the per-thread tile {@link #matmulBf16} widens weight rows into (256 KiB: L2). */
    private static final int TILE_FLOATS = 1 << 16;
    private static final ThreadScratch BF16_TILE = new ThreadScratch();
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * Short.SIZE));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    /** {@code L} bfloat16 weights at byte offset {@code off}, widened (a shift into the top half of each lane). */
    private static FloatVector bf16(MemorySegment w, long off) {
        return ((IntVector) ShortVector.fromMemorySegment(S, w, off, LE).convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** {@code n} bfloat16 at byte offset {@code off} of {@code w} to {@code dst[0, n)}. */
    private static void widenBf16(MemorySegment w, long off, float[] dst, int n) {
        int i = 0;
        for (int bound = n - L; i <= bound; i += L) {
            bf16(w, off + 2L * i).intoArray(dst, i);
        }
        for (; i < n; i++) {
            dst[i] = Float.intBitsToFloat(w.get(I16, off + 2L * i) << 16);
        }
    }

    /** {@link #dot(MemorySegment, long, float[], int, int)} over bfloat16 weights: the same sums of the widened values. */
    public static float dotBf16(MemorySegment a, long off, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        for (int bound4 = n - 4 * L; i <= bound4; i += 4 * L) {
            long o = off + 2L * i;
            acc0 = bf16(a, o).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = bf16(a, o + 2L * L).fma(FloatVector.fromArray(F, b, bOff + i + L), acc1);
            acc2 = bf16(a, o + 4L * L).fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), acc2);
            acc3 = bf16(a, o + 6L * L).fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), acc3);
        }
        for (int bound = n - L; i <= bound; i += L) {
            acc0 = bf16(a, off + 2L * i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += Float.intBitsToFloat(a.get(I16, off + 2L * i) << 16) * b[bOff + i];
        }
        return s;
    }

    /**
     * {@code out[outOff + b*outStride + r] = sum_k W[r][k] * x[b*n + k]} for {@code r < rows},
     * {@code b < batch}, with row {@code r} of W at byte offset {@code wOff + 4*r*n} of {@code w}.
     */
    public static void gemm(MemorySegment w, long wOff, int rows, float[] x, int batch, int n, float[] out, int outOff,
            int outStride) {
        float[] acc = accumulators(batch);
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            long o = wOff + 4L * r * n;
            int b = batch & -4;
            if (batch >= 4) {
                block4(w, o, 4L * n, x, batch & -4, n, out, outOff + r, outStride, acc);
            }
            for (; b < batch; b++) {
                for (int k = 0; k < 4; k++) {
                    out[outOff + b * outStride + r + k] = dot(w, o + 4L * k * n, x, b * n, n);
                }
            }
        }
        for (; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                out[outOff + b * outStride + r] = dot(w, wOff + 4L * r * n, x, b * n, n);
            }
        }
    }

    /** As {@link #gemm(MemorySegment, long, int, float[], int, int, float[], int, int)} with W in {@code w[r*n + k]}. */
    public static void gemm(float[] w, int rows, float[] x, int batch, int n, float[] out, int outOff, int outStride) {
        float[] acc = accumulators(batch);
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int b = batch & -4;
            if (batch >= 4) {
                block4(w, r * n, n, x, batch & -4, n, out, outOff + r, outStride, acc);
            }
            for (; b < batch; b++) {
                for (int k = 0; k < 4; k++) {
                    out[outOff + b * outStride + r + k] = dot(w, (r + k) * n, x, b * n, n);
                }
            }
        }
        for (; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                out[outOff + b * outStride + r] = dot(w, r * n, x, b * n, n);
            }
        }
    }

    /** 16 accumulators (4 rows x 4 vectors) kept in {@code acc[accOff..+16L]} across k-chunks {@code [k0, k1)}. */
    private static void microAcc(MemorySegment w, long wOff, long wStride, float[] x, int xOff, int xStride, int k0, int k1,
            float[] acc, int accOff) {
        FloatVector a00 = FloatVector.fromArray(F, acc, accOff), a01 = FloatVector.fromArray(F, acc, accOff + L);
        FloatVector a02 = FloatVector.fromArray(F, acc, accOff + 2 * L), a03 = FloatVector.fromArray(F, acc, accOff + 3 * L);
        FloatVector a10 = FloatVector.fromArray(F, acc, accOff + 4 * L), a11 = FloatVector.fromArray(F, acc, accOff + 5 * L);
        FloatVector a12 = FloatVector.fromArray(F, acc, accOff + 6 * L), a13 = FloatVector.fromArray(F, acc, accOff + 7 * L);
        FloatVector a20 = FloatVector.fromArray(F, acc, accOff + 8 * L), a21 = FloatVector.fromArray(F, acc, accOff + 9 * L);
        FloatVector a22 = FloatVector.fromArray(F, acc, accOff + 10 * L), a23 = FloatVector.fromArray(F, acc, accOff + 11 * L);
        FloatVector a30 = FloatVector.fromArray(F, acc, accOff + 12 * L), a31 = FloatVector.fromArray(F, acc, accOff + 13 * L);
        FloatVector a32 = FloatVector.fromArray(F, acc, accOff + 14 * L), a33 = FloatVector.fromArray(F, acc, accOff + 15 * L);
        for (int i = k0; i < k1; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            FloatVector x1 = FloatVector.fromArray(F, x, xOff + xStride + i);
            FloatVector x2 = FloatVector.fromArray(F, x, xOff + 2 * xStride + i);
            FloatVector x3 = FloatVector.fromArray(F, x, xOff + 3 * xStride + i);
            FloatVector w0 = FloatVector.fromMemorySegment(F, w, wOff + 4L * i, LE);
            a00 = w0.fma(x0, a00);
            a01 = w0.fma(x1, a01);
            a02 = w0.fma(x2, a02);
            a03 = w0.fma(x3, a03);
            FloatVector w1 = FloatVector.fromMemorySegment(F, w, wOff + wStride + 4L * i, LE);
            a10 = w1.fma(x0, a10);
            a11 = w1.fma(x1, a11);
            a12 = w1.fma(x2, a12);
            a13 = w1.fma(x3, a13);
            FloatVector w2 = FloatVector.fromMemorySegment(F, w, wOff + 2 * wStride + 4L * i, LE);
            a20 = w2.fma(x0, a20);
            a21 = w2.fma(x1, a21);
            a22 = w2.fma(x2, a22);
            a23 = w2.fma(x3, a23);
            FloatVector w3 = FloatVector.fromMemorySegment(F, w, wOff + 3 * wStride + 4L * i, LE);
            a30 = w3.fma(x0, a30);
            a31 = w3.fma(x1, a31);
            a32 = w3.fma(x2, a32);
            a33 = w3.fma(x3, a33);
        }
        a00.intoArray(acc, accOff);
        a01.intoArray(acc, accOff + L);
        a02.intoArray(acc, accOff + 2 * L);
        a03.intoArray(acc, accOff + 3 * L);
        a10.intoArray(acc, accOff + 4 * L);
        a11.intoArray(acc, accOff + 5 * L);
        a12.intoArray(acc, accOff + 6 * L);
        a13.intoArray(acc, accOff + 7 * L);
        a20.intoArray(acc, accOff + 8 * L);
        a21.intoArray(acc, accOff + 9 * L);
        a22.intoArray(acc, accOff + 10 * L);
        a23.intoArray(acc, accOff + 11 * L);
        a30.intoArray(acc, accOff + 12 * L);
        a31.intoArray(acc, accOff + 13 * L);
        a32.intoArray(acc, accOff + 14 * L);
        a33.intoArray(acc, accOff + 15 * L);
    }

    /** 16 accumulators (4 rows x 4 vectors) kept in {@code acc[accOff..+16L]} across k-chunks {@code [k0, k1)}. */
    private static void microAcc(float[] w, int wOff, int wStride, float[] x, int xOff, int xStride, int k0, int k1,
            float[] acc, int accOff) {
        FloatVector a00 = FloatVector.fromArray(F, acc, accOff), a01 = FloatVector.fromArray(F, acc, accOff + L);
        FloatVector a02 = FloatVector.fromArray(F, acc, accOff + 2 * L), a03 = FloatVector.fromArray(F, acc, accOff + 3 * L);
        FloatVector a10 = FloatVector.fromArray(F, acc, accOff + 4 * L), a11 = FloatVector.fromArray(F, acc, accOff + 5 * L);
        FloatVector a12 = FloatVector.fromArray(F, acc, accOff + 6 * L), a13 = FloatVector.fromArray(F, acc, accOff + 7 * L);
        FloatVector a20 = FloatVector.fromArray(F, acc, accOff + 8 * L), a21 = FloatVector.fromArray(F, acc, accOff + 9 * L);
        FloatVector a22 = FloatVector.fromArray(F, acc, accOff + 10 * L), a23 = FloatVector.fromArray(F, acc, accOff + 11 * L);
        FloatVector a30 = FloatVector.fromArray(F, acc, accOff + 12 * L), a31 = FloatVector.fromArray(F, acc, accOff + 13 * L);
        FloatVector a32 = FloatVector.fromArray(F, acc, accOff + 14 * L), a33 = FloatVector.fromArray(F, acc, accOff + 15 * L);
        for (int i = k0; i < k1; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            FloatVector x1 = FloatVector.fromArray(F, x, xOff + xStride + i);
            FloatVector x2 = FloatVector.fromArray(F, x, xOff + 2 * xStride + i);
            FloatVector x3 = FloatVector.fromArray(F, x, xOff + 3 * xStride + i);
            FloatVector w0 = FloatVector.fromArray(F, w, wOff + i);
            a00 = w0.fma(x0, a00);
            a01 = w0.fma(x1, a01);
            a02 = w0.fma(x2, a02);
            a03 = w0.fma(x3, a03);
            FloatVector w1 = FloatVector.fromArray(F, w, wOff + wStride + i);
            a10 = w1.fma(x0, a10);
            a11 = w1.fma(x1, a11);
            a12 = w1.fma(x2, a12);
            a13 = w1.fma(x3, a13);
            FloatVector w2 = FloatVector.fromArray(F, w, wOff + 2 * wStride + i);
            a20 = w2.fma(x0, a20);
            a21 = w2.fma(x1, a21);
            a22 = w2.fma(x2, a22);
            a23 = w2.fma(x3, a23);
            FloatVector w3 = FloatVector.fromArray(F, w, wOff + 3 * wStride + i);
            a30 = w3.fma(x0, a30);
            a31 = w3.fma(x1, a31);
            a32 = w3.fma(x2, a32);
            a33 = w3.fma(x3, a33);
        }
        a00.intoArray(acc, accOff);
        a01.intoArray(acc, accOff + L);
        a02.intoArray(acc, accOff + 2 * L);
        a03.intoArray(acc, accOff + 3 * L);
        a10.intoArray(acc, accOff + 4 * L);
        a11.intoArray(acc, accOff + 5 * L);
        a12.intoArray(acc, accOff + 6 * L);
        a13.intoArray(acc, accOff + 7 * L);
        a20.intoArray(acc, accOff + 8 * L);
        a21.intoArray(acc, accOff + 9 * L);
        a22.intoArray(acc, accOff + 10 * L);
        a23.intoArray(acc, accOff + 11 * L);
        a30.intoArray(acc, accOff + 12 * L);
        a31.intoArray(acc, accOff + 13 * L);
        a32.intoArray(acc, accOff + 14 * L);
        a33.intoArray(acc, accOff + 15 * L);
    }

    /**
     * Rows {@code [r, r+4)} x batch groups of 4, k-blocked: a {@value #KC}-float chunk of the 4 weight rows
     * stays in L1 while every batch group passes over it; the 16 accumulators of each group live in
     * {@code acc} between chunks, and are reduced once at the end. Tails ({@code n % L}) scalar.
     */
    private static void block4(MemorySegment w, long wOff, long wStride, float[] x, int batch4, int n, float[] out, int outOff,
            int outStride, float[] acc) {
        int groups = batch4 >>> 2;
        java.util.Arrays.fill(acc, 0, groups * 16 * L, 0f);
        int vn = n & -L;
        for (int k0 = 0; k0 < vn; k0 += KC) {
            int k1 = Math.min(vn, k0 + KC);
            for (int g = 0; g < groups; g++) {
                microAcc(w, wOff, wStride, x, 4 * g * n, n, k0, k1, acc, g * 16 * L);
            }
        }
        for (int g = 0; g < groups; g++) {
            for (int r = 0; r < 4; r++) {
                for (int b = 0; b < 4; b++) {
                    float s = FloatVector.fromArray(F, acc, (g * 16 + r * 4 + b) * L).reduceLanes(VectorOperators.ADD);
                    int xb = (4 * g + b) * n;
                    for (int k = vn; k < n; k++) {
                        s += w.get(F32, wOff + r * wStride + 4L * k) * x[xb + k];
                    }
                    out[outOff + (4 * g + b) * outStride + r] = s;
                }
            }
        }
    }

    /**
     * Rows {@code [r, r+4)} x batch groups of 4, k-blocked: a {@value #KC}-float chunk of the 4 weight rows
     * stays in L1 while every batch group passes over it; the 16 accumulators of each group live in
     * {@code acc} between chunks, and are reduced once at the end. Tails ({@code n % L}) scalar.
     */
    private static void block4(float[] w, int wOff, int wStride, float[] x, int batch4, int n, float[] out, int outOff,
            int outStride, float[] acc) {
        int groups = batch4 >>> 2;
        java.util.Arrays.fill(acc, 0, groups * 16 * L, 0f);
        int vn = n & -L;
        for (int k0 = 0; k0 < vn; k0 += KC) {
            int k1 = Math.min(vn, k0 + KC);
            for (int g = 0; g < groups; g++) {
                microAcc(w, wOff, wStride, x, 4 * g * n, n, k0, k1, acc, g * 16 * L);
            }
        }
        for (int g = 0; g < groups; g++) {
            for (int r = 0; r < 4; r++) {
                for (int b = 0; b < 4; b++) {
                    float s = FloatVector.fromArray(F, acc, (g * 16 + r * 4 + b) * L).reduceLanes(VectorOperators.ADD);
                    int xb = (4 * g + b) * n;
                    for (int k = vn; k < n; k++) {
                        s += w[wOff + r * wStride + k] * x[xb + k];
                    }
                    out[outOff + (4 * g + b) * outStride + r] = s;
                }
            }
        }
    }

    /**
     * {@code out[outOff+i] = silu(g[gOff+i]) * u[uOff+i]} for {@code i < n}, with
     * {@code silu(g) = g / (1 + e^-g)} (the SwiGLU activation); the exponential is the Vector API's
     * (SVML on x86), within an ulp or two of {@code Math.exp}.
     */
    public static void siluMul(float[] g, int gOff, float[] u, int uOff, float[] out, int outOff, int n) {
        int i = 0;
        int bound = F.loopBound(n);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < bound; i += L) {
            FloatVector gv = FloatVector.fromArray(F, g, gOff + i);
            FloatVector e = gv.neg().lanewise(VectorOperators.EXP);
            gv.div(e.add(one)).mul(FloatVector.fromArray(F, u, uOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            float gi = g[gOff + i];
            out[outOff + i] = gi / (1f + (float) Math.exp(-gi)) * u[uOff + i];
        }
    }

    /** {@code y[yOff+i] += alpha * x[xOff+i]} for {@code i < n}. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        int bound = F.loopBound(n);
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (; i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xOff + i).fma(va, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
