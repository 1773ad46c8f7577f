package org.qins.fp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.qins.api.DType;
import org.qins.api.LayerSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;

/**
 * A plain float weight: one part, {@code weight}, of the format's dtype. Encoding to F16 or BF16
 * rounds to nearest even; decoding widens to float32 (an F32 weight is returned as it lies).
 */
public abstract sealed class FloatWeightFormat implements WeightFormat {

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DType dtype;

    FloatWeightFormat(DType dtype) {
        this.dtype = dtype;
    }

    @Override
    public String name() {
        return StoredWeight.floatFormat(dtype);
    }

    @Override
    public String description() {
        return "plain " + dtype + " weights";
    }

    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, Options options) {
        return encode(spec, weight, options, Arena.ofAuto());
    }

    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, Options options, java.lang.foreign.SegmentAllocator memory) {
        spec.checkShape(weight);
        if (!weight.dtype().isFloat()) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': cannot store " + weight + " as " + name()
                    + ", not a float tensor");
        }
        String partName = spec.name() + "." + StoredWeight.WEIGHT;
        if (weight.dtype() == dtype) {
            return StoredWeight.ofFloat(spec.name(), new TensorView(partName, dtype, weight.shape(), weight.data()));
        }
        long n = weight.elementCount();
        MemorySegment out = memory.allocate(n * dtype.bytes(), 64);
        for (long i = 0; i < n; i++) {
            float v = weight.getFloat(i);
            switch (dtype) {
                case F32 -> out.setAtIndex(F32, i, v);
                case F16 -> out.setAtIndex(I16, i, Float.floatToFloat16(v));
                case BF16 -> out.setAtIndex(I16, i, toBf16(v));
                default -> throw new IllegalStateException(dtype.name());
            }
        }
        return StoredWeight.ofFloat(spec.name(), new TensorView(partName, dtype, weight.shape(), out));
    }

    /** bfloat16 bits of {@code v}, rounded to nearest even (NaN stays NaN). */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        return decode(spec, stored, Arena.ofAuto());
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored, java.lang.foreign.SegmentAllocator memory) {
        TensorView w = stored.part(StoredWeight.WEIGHT);
        spec.checkShape(w);
        return w.asF32(memory);
    }

    /** {@code f32}. */
    public static final class F32Format extends FloatWeightFormat {
        public F32Format() {
            super(DType.F32);
        }
    }

    /** {@code f16}. */
    public static final class F16Format extends FloatWeightFormat {
        public F16Format() {
            super(DType.F16);
        }
    }

    /** {@code bf16}. */
    public static final class Bf16Format extends FloatWeightFormat {
        public Bf16Format() {
            super(DType.BF16);
        }
    }
}
