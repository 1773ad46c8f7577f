package org.qins.fp;

import java.util.List;
import java.util.Set;
import org.qins.api.DType;
import org.qins.api.LayerContext;
import org.qins.api.Options;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.OptionSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/**
 * The float reference: computes in float32. F32 and BF16 weights are used where they lie (the mapped
 * file; bfloat16 is widened exactly inside the product); F16 weights are widened once at load into
 * the model's memory.
 */
public final class Fp32LinearProvider implements LinearLayerProvider {

    public static final String NAME = "fp32";
    /** Option: which loop computes a single-vector product over F32 weights. */
    public static final String KERNEL = "kernel";

    private static final List<OptionSpec> OPTIONS = List.of(OptionSpec.choice(KERNEL, "auto",
            "the product of one input vector over F32 weights: auto (native where loaded, else vector), native (the"
                    + " AVX-512 C loop; on this machine " + NativeFloatKernels.status() + "), vector (the Vector API loop)",
            "auto", "native", "vector"));

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

    @Override
    public List<OptionSpec> options() {
        return OPTIONS;
    }

    /** A float32 copy of an F16 weight (4 bytes per weight); F32 and BF16 weights are used where they lie. */
    @Override
    public long allocatedBytes(LayerSpec spec, StoredWeight stored, Options options) {
        TensorView w = stored.part(StoredWeight.WEIGHT);
        return w.dtype() == DType.F16 ? Math.multiplyExact(w.elementCount(), 4L) : 0;
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        Options o = context.options().bind("linear provider '" + NAME + "'", OPTIONS);
        TensorView w = stored.part(StoredWeight.WEIGHT);
        spec.checkShape(w);
        TensorView used = w.dtype() == DType.BF16 ? w : w.asF32(context.memory());
        return new Fp32Linear(spec, used.data(), used.dtype(), context.parallel(), o.get(KERNEL));
    }
}
