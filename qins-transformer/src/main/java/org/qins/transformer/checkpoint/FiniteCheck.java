package org.qins.transformer.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.qins.api.TensorView;

/**
 * Finds NaN, infinities and absurdly large values in float tensors and activations. Works on the
 * bits: with the sign cleared, every value above the limit, infinity and NaN compare greater than
 * the limit's bits, so a vector max of {@code bits & 0x7fff_ffff} decides a whole tensor in one pass
 * (memory-bound); only a tensor that fails is scanned again for the first bad element.
 */
public final class FiniteCheck {

    /**
     * Largest weight magnitude accepted: 2^48. A product of two such values is below 2^96 and a sum
     * of 2^31 of them below 2^127, so a dot product of weights with weight-sized activations cannot
     * overflow float32; trained weights are many orders of magnitude smaller.
     */
    public static final float MAX_WEIGHT = 0x1p48f;

    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int F32_ABS = 0x7fff_ffff;
    private static final short HALF_ABS = 0x7fff;
    /** Largest finite F16 (65504); every finite F16 is below {@link #MAX_WEIGHT}. */
    private static final short F16_MAX_FINITE = 0x7bff;

    private FiniteCheck() {
    }

    /**
     * Refuses a float tensor of {@code file} holding NaN, an infinity or a value beyond
     * {@link #MAX_WEIGHT}; other dtypes pass unchecked.
     */
    public static void requireFiniteWeights(TensorView t, Path file) {
        long bad = firstBadWeight(t);
        if (bad >= 0) {
            float v = t.getFloat(bad);
            throw new CheckpointException(file + ": tensor '" + t.name() + "' holds " + describe(v) + " at " + position(t, bad)
                    + (Float.isFinite(v) ? " (weights must stay within +-2^48, or the float math overflows)"
                            : " (weights must be finite numbers)"));
        }
    }

    /** Index of the first element that is NaN, infinite or beyond {@link #MAX_WEIGHT}, or -1 (also for non-float dtypes). */
    public static long firstBadWeight(TensorView t) {
        MemorySegment s = t.data();
        long n = t.elementCount();
        return switch (t.dtype()) {
            case F32 -> scanInts(s, n, Float.floatToRawIntBits(MAX_WEIGHT));
            case BF16 -> scanShorts(s, n, (short) (Float.floatToRawIntBits(MAX_WEIGHT) >>> 16));
            case F16 -> scanShorts(s, n, F16_MAX_FINITE);
            default -> -1;
        };
    }

    /** Index in {@code [from, from + n)} of the first NaN or infinity of {@code a}, or -1. */
    public static int firstNonFinite(float[] a, int from, int n) {
        int limit = Float.floatToRawIntBits(Float.MAX_VALUE);
        IntVector max = IntVector.zero(INTS);
        int i = 0;
        for (int upper = FLOATS.loopBound(n); i < upper; i += FLOATS.length()) {
            IntVector bits = FloatVector.fromArray(FLOATS, a, from + i).reinterpretAsInts();
            max = max.max(bits.and(F32_ABS));
        }
        boolean bad = max.reduceLanes(VectorOperators.MAX) > limit;
        for (; i < n && !bad; i++) {
            bad = !Float.isFinite(a[from + i]);
        }
        if (!bad) {
            return -1;
        }
        for (int k = 0; k < n; k++) {
            if (!Float.isFinite(a[from + k])) {
                return from + k;
            }
        }
        return -1;
    }

    private static long scanInts(MemorySegment s, long n, int limitBits) {
        IntVector max = IntVector.zero(INTS);
        long i = 0;
        long upper = n - n % INTS.length();
        for (; i < upper; i += INTS.length()) {
            max = max.max(IntVector.fromMemorySegment(INTS, s, i * 4, ByteOrder.LITTLE_ENDIAN).and(F32_ABS));
        }
        int tail = 0;
        for (; i < n; i++) {
            tail = Math.max(tail, s.getAtIndex(I32, i) & F32_ABS);
        }
        if (Math.max(tail, max.reduceLanes(VectorOperators.MAX)) <= limitBits) {
            return -1;
        }
        for (long k = 0; k < n; k++) {
            if ((s.getAtIndex(I32, k) & F32_ABS) > limitBits) {
                return k;
            }
        }
        return -1;
    }

    private static long scanShorts(MemorySegment s, long n, short limitBits) {
        ShortVector max = ShortVector.zero(SHORTS);
        long i = 0;
        long upper = n - n % SHORTS.length();
        for (; i < upper; i += SHORTS.length()) {
            max = max.max(ShortVector.fromMemorySegment(SHORTS, s, i * 2, ByteOrder.LITTLE_ENDIAN).and(HALF_ABS));
        }
        int tail = 0;
        for (; i < n; i++) {
            tail = Math.max(tail, s.getAtIndex(I16, i) & HALF_ABS);
        }
        if (Math.max(tail, max.reduceLanes(VectorOperators.MAX)) <= limitBits) {
            return -1;
        }
        for (long k = 0; k < n; k++) {
            if ((s.getAtIndex(I16, k) & HALF_ABS) > limitBits) {
                return k;
            }
        }
        return -1;
    }

    private static String describe(float v) {
        return Float.isNaN(v) ? "NaN" : Float.isInfinite(v) ? (v > 0 ? "+Infinity" : "-Infinity") : "the value " + v;
    }

    /** "element 7 (index [1, 3])" for a tensor of rank > 1. */
    private static String position(TensorView t, long flat) {
        long[] shape = t.shape();
        if (shape.length < 2) {
            return "element " + flat;
        }
        long[] index = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = rest % shape[d];
            rest /= shape[d];
        }
        return "element " + flat + " (index " + Arrays.toString(index) + ")";
    }
}
