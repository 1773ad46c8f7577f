package org.qins.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.qins.api.DType;
import org.qins.api.LayerSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/**
 * An encoded {@code rows x cols} tensor as it stays resident: code bytes, a sign bit-plane (the
 * 255-level layouts; qins8 keeps the sign in the code byte) and per-group ranges (scale, plus a
 * width unless the policy shares one width). Segments are the mapped checkpoint's where possible.
 *
 * <p>Stored parts: {@code codes} U8 [rows, cols]; {@code signs} U8 [rows, ceil(cols/8)] bit-plane
 * (bit {@code i & 7} of byte {@code i >> 3}, 1 = negative) for qins9, I8 [rows, cols] of +-1/0
 * for qins8-seed (repacked into a bit-plane at load); {@code scales} F16 or F32
 * [rows, groups per row] ([1] for one range per tensor) = {@code exp(log_max)}; {@code widths}
 * F32 of the same shape = {@code log_max - log_min} in nats, absent for the clipped policy.
 */
public final class QinsTensor {

    public static final String CODES = "codes";
    public static final String SIGNS = "signs";
    public static final String SCALES = "scales";
    public static final String WIDTHS = "widths";

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final String name;
    final int rows;
    final int cols;
    final QinsFormat format;
    final MemorySegment codes;
    final MemorySegment signs;
    final MemorySegment scales;
    final boolean f16Scales;
    final MemorySegment widths;
    /** Weights per group along a row; the range index of column {@code i} is {@code row * rangeRowStride + i / groupLength}. */
    final int groupLength;
    final int rangeRowStride;
    final int signStride;
    /** The log step shared by every group, or NaN when each group has its own. */
    final double sharedStep;
    /** {@code magnitudes[code]} for the shared step, or null. */
    final float[] sharedTable;

    QinsTensor(String name, int rows, int cols, QinsFormat format, MemorySegment codes, MemorySegment signs,
            MemorySegment scales, boolean f16Scales, MemorySegment widths) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.format = format;
        this.codes = codes;
        this.signs = signs;
        this.scales = scales;
        this.f16Scales = f16Scales;
        this.widths = widths;
        Grouping g = format.grouping();
        this.groupLength = g.groupLength(cols);
        this.rangeRowStride = g.groupsPerRow(cols);
        this.signStride = signStride(cols);
        int steps = format.layout().steps();
        if (format.policy().sharedWidth()) {
            sharedStep = format.sharedStep();
        } else if (g.kind() == Grouping.Kind.TENSOR) {
            sharedStep = widths.getAtIndex(F32, 0) / steps;
        } else {
            sharedStep = Double.NaN;
        }
        this.sharedTable = Double.isNaN(sharedStep) ? null : DecodeTable.magnitudes(sharedStep, format.layout().maxCode());
    }

    static int signStride(int cols) {
        return (cols + 7) >>> 3;
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public QinsFormat format() {
        return format;
    }

    /** Code bytes, {@code rows x cols}: magnitude codes, or sign bit + 7-bit code for qins8. */
    public MemorySegment codes() {
        return codes;
    }

    /** The sign bit-plane (1 = negative, rows padded to whole bytes), or null when the sign is in the code (qins8). */
    public MemorySegment signPlane() {
        return signs;
    }

    /** The largest group scale, i.e. the largest decoded magnitude. */
    public float maxScale() {
        float m = 0;
        for (long i = 0, n = scales.byteSize() / (f16Scales ? 2 : 4); i < n; i++) {
            m = Math.max(m, scaleAt(i));
        }
        return m;
    }

    /** Bytes of codes, signs and ranges held. */
    public long byteSize() {
        return codes.byteSize() + (signs == null ? 0 : signs.byteSize()) + scales.byteSize()
                + (widths == null ? 0 : widths.byteSize());
    }

    /** Scale ({@code exp(log_max)}) of range {@code index}. */
    float scaleAt(long index) {
        return f16Scales ? Float.float16ToFloat(scales.getAtIndex(I16, index)) : scales.getAtIndex(F32, index);
    }

    /** Log step of range {@code index}. */
    double stepAt(long index) {
        return Double.isNaN(sharedStep) ? widths.getAtIndex(F32, index) / format.layout().steps() : sharedStep;
    }

    long rangeIndex(int row, int col) {
        return (long) row * rangeRowStride + col / groupLength;
    }

    boolean negative(int row, int col) {
        return signBit(row, col) != 0;
    }

    /** The stored sign of a weight as 0 or 1, without a branch (signs are random: a branch mispredicts half the time). */
    int signBit(int row, int col) {
        if (signs == null) {
            return codes.get(ValueLayout.JAVA_BYTE, (long) row * cols + col) >>> 7 & 1;
        }
        return signs.get(ValueLayout.JAVA_BYTE, (long) row * signStride + (col >>> 3)) >>> (col & 7) & 1;
    }

    /** Decodes row {@code row} into {@code dst[off, off+cols)}: the scalar reference every kernel matches. */
    public void decodeRow(int row, float[] dst, int off) {
        int mask = format.layout().signInCode() ? 0x7F : 0xFF;
        long base = (long) row * cols;
        for (int g0 = 0; g0 < cols; g0 += groupLength) {
            int end = Math.min(cols, g0 + groupLength);
            long r = rangeIndex(row, g0);
            float scale = scaleAt(r);
            double step = stepAt(r);
            for (int i = g0; i < end; i++) {
                int c = codes.get(ValueLayout.JAVA_BYTE, base + i) & mask;
                float m = sharedTable != null ? sharedTable[c] : c == 0 ? 0f : (float) Math.exp(-(c - 1) * step);
                int neg = signBit(row, i) & (c | -c) >>> 31; // zero codes decode to +0
                dst[off + i] = Float.intBitsToFloat(Float.floatToRawIntBits(scale * m) ^ (neg << 31));
            }
        }
    }

    /** The stored parts and metadata of this tensor, under format {@code layout.id()}. */
    public StoredWeight toStored() {
        return toStored(Arena.ofAuto());
    }

    /** As {@link #toStored()}; the seed layout's sign bytes (the only part made here) come from {@code memory}. */
    public StoredWeight toStored(java.lang.foreign.SegmentAllocator memory) {
        Map<String, TensorView> parts = new HashMap<>();
        String p = name + ".";
        parts.put(CODES, new TensorView(p + CODES, DType.U8, new long[] {rows, cols}, codes));
        if (format.layout() == QinsLayout.QINS8_SEED) {
            parts.put(SIGNS, new TensorView(p + SIGNS, DType.I8, new long[] {rows, cols}, signBytes(memory)));
        } else if (signs != null) {
            parts.put(SIGNS, new TensorView(p + SIGNS, DType.U8, new long[] {rows, signStride}, signs));
        }
        long[] rangeShape = rangeShape(format.grouping(), rows, cols);
        parts.put(SCALES, new TensorView(p + SCALES, f16Scales ? DType.F16 : DType.F32, rangeShape, scales));
        if (widths != null) {
            parts.put(WIDTHS, new TensorView(p + WIDTHS, DType.F32, rangeShape, widths));
        }
        return new StoredWeight(name, format.layout().id(), parts, format.toMetadata());
    }

    static long[] rangeShape(Grouping g, int rows, int cols) {
        return g.kind() == Grouping.Kind.TENSOR ? new long[] {1} : new long[] {rows, g.groupsPerRow(cols)};
    }

    /** The seed's sign bytes: -1 for negative non-zero weights, +1 for positive ones, 0 for zeros. */
    private MemorySegment signBytes(java.lang.foreign.SegmentAllocator memory) {
        MemorySegment out = memory.allocate((long) rows * cols);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) {
                long k = (long) r * cols + i;
                int c = codes.get(ValueLayout.JAVA_BYTE, k);
                out.set(ValueLayout.JAVA_BYTE, k, (byte) (c == 0 ? 0 : negative(r, i) ? -1 : 1));
            }
        }
        return out;
    }

    /** Reads a stored QINS weight, checking every part's dtype and shape against {@code spec}. */
    public static QinsTensor fromStored(LayerSpec spec, StoredWeight stored) {
        QinsLayout layout = QinsLayout.ofFormat(stored.format());
        if (layout == null) {
            throw new IllegalArgumentException("weight '" + spec.name() + "': format " + stored.format() + " is not a QINS layout");
        }
        QinsFormat format = QinsFormat.fromMetadata(spec.name(), stored.format(), stored.metadata());
        int rows = spec.outFeatures();
        int cols = spec.inFeatures();
        TensorView codes = stored.part(CODES);
        expect(spec, codes, DType.U8, rows, cols);
        MemorySegment signs = null;
        if (layout == QinsLayout.QINS9) {
            TensorView s = stored.part(SIGNS);
            expect(spec, s, DType.U8, rows, signStride(cols));
            signs = s.data();
        } else if (layout == QinsLayout.QINS8_SEED) {
            TensorView s = stored.part(SIGNS);
            expect(spec, s, DType.I8, rows, cols);
            signs = packSigns(s.data(), rows, cols);
        }
        long[] rangeShape = rangeShape(format.grouping(), rows, cols);
        TensorView scales = stored.part(SCALES);
        if (scales.dtype() != DType.F16 && scales.dtype() != DType.F32) {
            throw new IllegalArgumentException("weight '" + spec.name() + "': scales must be F16 or F32, got " + scales);
        }
        expect(spec, scales, scales.dtype(), rangeShape);
        MemorySegment widths = null;
        if (!format.policy().sharedWidth()) {
            TensorView w = stored.part(WIDTHS);
            expect(spec, w, DType.F32, rangeShape);
            widths = w.data();
        }
        return new QinsTensor(spec.name(), rows, cols, format, codes.data(), signs, scales.data(),
                scales.dtype() == DType.F16, widths);
    }

    /** Seed sign bytes to a bit-plane: the resident form is 1 bit per weight whatever the stored layout. */
    private static MemorySegment packSigns(MemorySegment signBytes, int rows, int cols) {
        int stride = signStride(cols);
        MemorySegment plane = Arena.ofAuto().allocate((long) rows * stride);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) {
                if (signBytes.get(ValueLayout.JAVA_BYTE, (long) r * cols + i) < 0) {
                    long b = (long) r * stride + (i >>> 3);
                    plane.set(ValueLayout.JAVA_BYTE, b, (byte) (plane.get(ValueLayout.JAVA_BYTE, b) | 1 << (i & 7)));
                }
            }
        }
        return plane;
    }

    private static void expect(LayerSpec spec, TensorView t, DType dtype, long... shape) {
        if (t.dtype() != dtype || !java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("weight '" + spec.name() + "': part " + t + " should be " + dtype
                    + java.util.Arrays.toString(shape));
        }
    }
}
