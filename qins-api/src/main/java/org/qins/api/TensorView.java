package org.qins.api;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A read-only, named view of a stored tensor: dtype, shape and little-endian bytes, usually a
 * slice of a memory-mapped file. Row-major, as in safetensors.
 */
public record TensorView(String name, DType dtype, long[] shape, MemorySegment data) {

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public TensorView {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        long expected = Math.multiplyExact(elementCount(shape), dtype.bytes());
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + Arrays.toString(shape)
                    + " needs " + expected + " bytes, data has " + data.byteSize());
        }
    }

    /** Wraps a float array as an F32 tensor (heap memory). */
    public static TensorView ofFloats(String name, float[] values, long... shape) {
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, 4)]);
        MemorySegment.copy(values, 0, seg, F32, 0, values.length);
        return new TensorView(name, DType.F32, shape, seg);
    }

    /** Wraps a byte array as a U8 tensor (heap memory, not copied). */
    public static TensorView ofBytes(String name, byte[] values, long... shape) {
        return new TensorView(name, DType.U8, shape, MemorySegment.ofArray(values));
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** Element {@code i} (flat, row-major) converted to float; float dtypes only. */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, i);
            case F16 -> Float.float16ToFloat(data.getAtIndex(I16, i));
            case BF16 -> Float.intBitsToFloat(data.getAtIndex(I16, i) << 16);
            default -> throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not a float type");
        };
    }

    /** Copies {@code n} elements starting at flat index {@code from}, converted to float. */
    public void copyFloats(long from, float[] dst, int dstOffset, int n) {
        if (dtype == DType.F32) {
            MemorySegment.copy(data, F32, from * 4, dst, dstOffset, n);
            return;
        }
        for (int k = 0; k < n; k++) {
            dst[dstOffset + k] = getFloat(from + k);
        }
    }

    /**
     * This tensor as little-endian float32: itself when it is F32, otherwise F16/BF16 widened once
     * into 64-byte-aligned off-heap memory (never the heap, so large weights stay out of GC).
     */
    public TensorView asF32() {
        return asF32(java.lang.foreign.Arena.ofAuto());
    }

    /** {@link #asF32()} with the widened copy allocated from {@code memory}. */
    public TensorView asF32(java.lang.foreign.SegmentAllocator memory) {
        if (dtype == DType.F32) {
            return this;
        }
        long n = elementCount();
        MemorySegment out = memory.allocate(n * 4, 64);
        if (dtype == DType.BF16) {
            // bf16 is the top half of a float32: widen a block at a time with bulk copies.
            short[] in = new short[8192];
            int[] bits = new int[8192];
            for (long i = 0; i < n; i += in.length) {
                int m = (int) Math.min(in.length, n - i);
                MemorySegment.copy(data, I16, i * 2, in, 0, m);
                for (int k = 0; k < m; k++) {
                    bits[k] = in[k] << 16;
                }
                MemorySegment.copy(bits, 0, out, I32, i * 4, m);
            }
        } else {
            for (long i = 0; i < n; i++) {
                out.setAtIndex(F32, i, getFloat(i));
            }
        }
        return new TensorView(name, DType.F32, shape, out);
    }

    /** The whole tensor as floats (heap copy; for small tensors and tests). */
    public float[] toFloatArray() {
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor '" + name + "' is too large for one array: " + n + " elements");
        }
        float[] out = new float[(int) n];
        copyFloats(0, out, 0, out.length);
        return out;
    }

    /** The whole tensor as bytes (U8/I8; heap copy). */
    public byte[] toByteArray() {
        return data.toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
