package org.qins.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.qins.api.TensorView;

/**
 * Stateless QINS encode and decode. Per group of weights:
 * <pre>
 * log_min, log_max = range of ln|w| over the group's non-zero weights (range policy)
 * normalized = (ln|w| - log_min) / (log_max - log_min)     clamped to [0, 1]
 * stored     = round(M - normalized * (M-1))                M = 255 (qins9, qins8-seed) or 127 (qins8)
 * |w|        = exp(log_min + (M - stored) / (M-1) * (log_max - log_min))
 * </pre>
 * Code 0 is the reserved zero. Memory is bounded by the codes: rows are read one at a time.
 */
public final class QinsCodec {

    /** Whole-tensor mse search and scale fit look at a strided sample of at most this many weights. */
    private static final int TENSOR_SAMPLE = 1 << 16;

    private QinsCodec() {
    }

    /** Reads row {@code row} ({@code cols} floats) into {@code dst}. */
    @FunctionalInterface
    interface RowSource {
        void read(int row, float[] dst);
    }

    /** Encodes a rank-2 float tensor (F32, F16 or BF16). */
    public static QinsTensor encode(String name, TensorView weight, QinsFormat format) {
        return encode(name, weight, format, Arena.ofAuto());
    }

    /** Encodes a rank-2 float tensor (F32, F16 or BF16), its codes, signs and ranges allocated from {@code memory}. */
    public static QinsTensor encode(String name, TensorView weight, QinsFormat format, java.lang.foreign.SegmentAllocator memory) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("tensor '" + name + "': QINS encodes 2-D weights, got " + weight);
        }
        int rows = Math.toIntExact(weight.dim(0));
        int cols = Math.toIntExact(weight.dim(1));
        return encode(name, rows, cols, format, (r, dst) -> weight.copyFloats((long) r * cols, dst, 0, cols), memory);
    }

    /** Encodes {@code w} as a row-major {@code rows x cols} tensor. */
    public static QinsTensor encode(String name, float[] w, int rows, int cols, QinsFormat format) {
        if ((long) rows * cols != w.length) {
            throw new IllegalArgumentException("tensor '" + name + "': " + w.length + " weights for shape " + rows + "x" + cols);
        }
        return encode(name, rows, cols, format, (r, dst) -> System.arraycopy(w, r * cols, dst, 0, cols), Arena.ofAuto());
    }

    static QinsTensor encode(String name, int rows, int cols, QinsFormat format, RowSource source,
            java.lang.foreign.SegmentAllocator arena) {
        QinsEncoder enc = new QinsEncoder(format, name);
        QinsLayout layout = format.layout();
        Grouping grouping = format.grouping();
        int gl = grouping.groupLength(cols);
        float[] row = new float[cols];

        // Pass 1: reject non-finite weights; global stats; can clipped scales live in fp16?
        float maxAbs = 0;
        float minAbs = Float.POSITIVE_INFINITY;
        boolean f16 = format.f16Scales() && format.policy() == RangePolicy.CLIPPED && grouping.kind() != Grouping.Kind.TENSOR;
        long total = (long) rows * cols;
        long sampleStride = Math.max(1, total / TENSOR_SAMPLE);
        float[] sample = new float[(int) Math.min(total, TENSOR_SAMPLE + 1)];
        int sampled = 0;
        for (int r = 0; r < rows; r++) {
            source.read(r, row);
            for (int g0 = 0; g0 < cols; g0 += gl) {
                float groupMax = 0;
                for (int i = g0, end = Math.min(cols, g0 + gl); i < end; i++) {
                    float v = row[i];
                    enc.checkFinite(v, (long) r * cols + i);
                    float a = Math.abs(v);
                    groupMax = Math.max(groupMax, a);
                    if (a > 0) {
                        minAbs = Math.min(minAbs, a);
                    }
                }
                maxAbs = Math.max(maxAbs, groupMax);
                f16 &= QinsEncoder.fitsF16(groupMax);
            }
            if (grouping.kind() == Grouping.Kind.TENSOR && (format.policy() == RangePolicy.MSE || format.fit() == ScaleFit.MSE)) {
                for (long k = ((long) r * cols + sampleStride - 1) / sampleStride * sampleStride; k < (long) (r + 1) * cols
                        && sampled < sample.length; k += sampleStride) {
                    sample[sampled++] = row[(int) (k - (long) r * cols)];
                }
            }
        }
        GroupRange tensorRange = grouping.kind() == Grouping.Kind.TENSOR
                ? enc.chooseRange(sample, 0, sampled, maxAbs, minAbs, false) : null;

        // Pass 2: ranges and codes, row by row, off-heap.
        long ranges = grouping.rangeCount(rows, cols);
        MemorySegment codes = arena.allocate(total, 64);
        int signStride = QinsTensor.signStride(cols);
        MemorySegment signs = layout.signInCode() ? null : arena.allocate((long) rows * signStride, 64);
        MemorySegment scales = arena.allocate(ranges * (f16 ? 2 : 4), 64);
        MemorySegment widths = format.policy().sharedWidth() ? null : arena.allocate(ranges * 4, 64);
        byte[] mag = new byte[cols];
        byte[] plane = new byte[signStride];
        for (int r = 0; r < rows; r++) {
            source.read(r, row);
            for (int g0 = 0; g0 < cols; g0 += gl) {
                int n = Math.min(cols, g0 + gl) - g0;
                GroupRange range = tensorRange != null ? tensorRange : enc.chooseRange(row, g0, n, Float.NaN, 0, f16);
                long ri = tensorRange != null ? 0 : (long) r * grouping.groupsPerRow(cols) + g0 / gl;
                if (f16) {
                    scales.setAtIndex(QinsTensor.I16, ri, Float.floatToFloat16(range.scale()));
                } else {
                    scales.setAtIndex(QinsTensor.F32, ri, range.scale());
                }
                if (widths != null) {
                    widths.setAtIndex(QinsTensor.F32, ri, (float) range.width());
                }
                enc.encode(row, g0, n, range, mag, g0);
            }
            java.util.Arrays.fill(plane, (byte) 0);
            for (int i = 0; i < cols; i++) {
                boolean neg = row[i] < 0 && mag[i] != 0;
                if (layout.signInCode()) {
                    mag[i] |= (byte) (neg ? 0x80 : 0);
                } else if (neg) {
                    plane[i >>> 3] |= (byte) (1 << (i & 7));
                }
            }
            MemorySegment.copy(mag, 0, codes, ValueLayout.JAVA_BYTE, (long) r * cols, cols);
            if (signs != null) {
                MemorySegment.copy(plane, 0, signs, ValueLayout.JAVA_BYTE, (long) r * signStride, signStride);
            }
        }
        return new QinsTensor(name, rows, cols, format, codes, signs, scales, f16, widths);
    }

    /** Decodes the whole tensor to floats (row-major). */
    public static float[] decode(QinsTensor t) {
        float[] out = new float[Math.multiplyExact(t.rows, t.cols)];
        for (int r = 0; r < t.rows; r++) {
            t.decodeRow(r, out, r * t.cols);
        }
        return out;
    }

    /** Decodes the whole tensor into a new off-heap F32 tensor view (with the layer's kernel: the same floats, faster). */
    public static TensorView decodeToView(QinsTensor t) {
        return decodeToView(t, Arena.ofAuto());
    }

    /** {@link #decodeToView(QinsTensor)} into memory from {@code memory}. */
    public static TensorView decodeToView(QinsTensor t, java.lang.foreign.SegmentAllocator memory) {
        MemorySegment seg = memory.allocate((long) t.rows * t.cols * 4, 64);
        float[] row = new float[t.cols];
        QinsKernel kernel = QinsKernels.AUTO.create(t);
        for (int r = 0; r < t.rows; r++) {
            kernel.decodeRow(r, row);
            MemorySegment.copy(row, 0, seg, QinsTensor.F32, (long) r * t.cols * 4, t.cols);
        }
        return new TensorView(t.name + ".weight", org.qins.api.DType.F32, new long[] {t.rows, t.cols}, seg);
    }
}
