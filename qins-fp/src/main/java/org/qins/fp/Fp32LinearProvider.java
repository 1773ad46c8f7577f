package org.qins.fp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.qins.api.DType;
import org.qins.api.EncodeOptions;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/**
 * The float reference: computes in float32. F32 weights are used where they lie (the mapped
 * file); F16 and BF16 weights are widened once at load into off-heap memory.
 */
public final class Fp32LinearProvider implements LinearLayerProvider {

    public static final String NAME = "fp32";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public String description() {
        return "plain float32 compute over F32/F16/BF16 weights (the reference)";
    }

    @Override
    public boolean supports(String storedFormat) {
        return storedFormat.equals("f32") || storedFormat.equals("f16") || storedFormat.equals("bf16");
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        TensorView w = stored.part(StoredWeight.WEIGHT);
        spec.checkShape(w);
        return new Fp32Linear(spec, asF32(w), context.parallel());
    }

    @Override
    public boolean canEncode() {
        return true;
    }

    /** Stores the weight as float32 (widening F16/BF16). */
    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, EncodeOptions options) {
        spec.checkShape(weight);
        TensorView f32 = new TensorView(spec.name() + ".weight", DType.F32, weight.shape(), asF32(weight));
        return StoredWeight.ofFloat(spec.name(), f32);
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        TensorView w = stored.part(StoredWeight.WEIGHT);
        return new TensorView(w.name(), DType.F32, w.shape(), asF32(w));
    }

    /** The weight as little-endian float32: the same segment for F32, an off-heap widened copy otherwise. */
    static MemorySegment asF32(TensorView w) {
        if (w.dtype() == DType.F32) {
            return w.data();
        }
        long n = w.elementCount();
        MemorySegment out = Arena.ofAuto().allocate(n * 4, 64);
        ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            out.setAtIndex(f32, i, w.getFloat(i));
        }
        return out;
    }
}
