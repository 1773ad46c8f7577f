package org.qins.fp;

import java.util.Set;
import org.qins.api.DType;
import org.qins.api.LayerContext;
import org.qins.api.Options;
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
    public Set<String> formats() {
        return Set.of("f32", "f16", "bf16");
    }

    @Override
    public String preferredFormat() {
        return "f32";
    }

    /** A float32 copy of an F16 or BF16 weight (4 bytes per weight); an F32 weight is used where it lies. */
    @Override
    public long allocatedBytes(LayerSpec spec, StoredWeight stored, Options options) {
        TensorView w = stored.part(StoredWeight.WEIGHT);
        return w.dtype() == DType.F32 ? 0 : Math.multiplyExact(w.elementCount(), 4L);
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        TensorView w = stored.part(StoredWeight.WEIGHT);
        spec.checkShape(w);
        return new Fp32Linear(spec, w.asF32(context.memory()).data(), context.parallel());
    }
}
