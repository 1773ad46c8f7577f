package org.qins.fp;

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
        return new Fp32Linear(spec, w.asF32().data(), context.parallel());
    }

    @Override
    public boolean canEncode() {
        return true;
    }

    /** Stores the weight as float32 (widening F16/BF16). */
    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, EncodeOptions options) {
        spec.checkShape(weight);
        TensorView f32 = new TensorView(spec.name() + ".weight", DType.F32, weight.shape(), weight.asF32().data());
        return StoredWeight.ofFloat(spec.name(), f32);
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        TensorView w = stored.part(StoredWeight.WEIGHT);
        return w.asF32();
    }
}
