package org.qins.codec;

import java.util.List;
import java.util.Set;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.OptionSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/**
 * Pattern A (codec-at-rest). Loads qins9, qins8 and qins8-seed weights from their stored parts,
 * and float weights (f32, f16, bf16) by encoding them at load with {@link QinsFormat#DEFAULTS},
 * as {@code qins convert} would.
 */
public final class QinsLinearProvider implements LinearLayerProvider {

    public static final String NAME = "qins";
    /** Option: keep a whole-matrix decoded float copy (off by default; its bytes are counted). */
    public static final String DECODED_CACHE = "decoded-cache";
    /** Option: which kernel decodes and multiplies ({@link QinsKernels}). */
    public static final String KERNEL = "kernel";

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.bool(DECODED_CACHE, false, "keep a decoded float32 copy of each weight (gives the memory back)"),
            OptionSpec.choice(KERNEL, QinsKernels.AUTO.id(), "the decode kernel: auto (native where the library"
                    + " is loaded and the format allows, else vector), native (the AVX-512 C loops for qins9 and qins8; on this"
                    + " machine " + NativeKernels.status() + "), bf16 (native, with the decode steps' products in bf16:"
                    + " weights and input rounded to bf16, about 0.2 % per product, faster; on this machine "
                    + NativeKernels.bf16Status() + "), vector (Java table decode where the format allows, else tiled), table32 (table decode in 32-bit lanes), tiled, or scalar (the portable reference)",
                    QinsKernels.ids()));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 30;
    }

    @Override
    public String description() {
        return "Pattern A (codec-at-rest): QINS codes resident, decoded inside the matmul";
    }

    @Override
    public Set<String> formats() {
        return Set.of("f32", "f16", "bf16", "qins9", "qins8", "qins8-seed");
    }

    @Override
    public String preferredFormat() {
        return QinsFormat.DEFAULTS.layout().id();
    }

    @Override
    public List<OptionSpec> options() {
        return OPTIONS;
    }

    /**
     * A float weight is encoded at load with the defaults (codes, sign plane, scales: at most 1.25 bytes per weight
     * with float32 scales); the decoded cache adds 4 bytes per weight. A stored QINS weight is used where it lies.
     */
    @Override
    public long allocatedBytes(LayerSpec spec, StoredWeight stored, Options options) {
        Options o = options.bind("linear provider '" + NAME + "'", OPTIONS);
        long rows = spec.outFeatures();
        long cols = spec.inFeatures();
        long bytes = 0;
        if (stored.isFloat()) {
            Grouping g = QinsFormat.DEFAULTS.grouping();
            bytes += rows * cols + rows * QinsTensor.signStride(spec.inFeatures()) + 4L * g.rangeCount(spec.outFeatures(), spec.inFeatures());
        }
        if (o.flag(DECODED_CACHE)) {
            bytes += 4 * rows * cols;
        }
        return bytes;
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        // Re-checked here too: a context built outside the engine may carry options no one validated.
        Options o = context.options().bind("linear provider '" + NAME + "'", OPTIONS);
        QinsTensor t = tensorOf(spec, stored, context.memory());
        QinsKernel kernel = QinsKernels.fromId(o.get(KERNEL)).create(t);
        return new QinsLinear(spec, t, context.parallel(), kernel, o.flag(DECODED_CACHE) ? context.memory() : null);
    }

    /** The resident encoded tensor of a stored weight (float weights are encoded with the defaults). */
    public static QinsTensor tensorOf(LayerSpec spec, StoredWeight stored) {
        return tensorOf(spec, stored, java.lang.foreign.Arena.ofAuto());
    }

    /** {@link #tensorOf(LayerSpec, StoredWeight)}, codes encoded at load allocated from {@code memory}. */
    public static QinsTensor tensorOf(LayerSpec spec, StoredWeight stored, java.lang.foreign.SegmentAllocator memory) {
        if (stored.isFloat()) {
            TensorView w = stored.part(StoredWeight.WEIGHT);
            spec.checkShape(w);
            return QinsCodec.encode(spec.name(), w, QinsFormat.DEFAULTS, memory);
        }
        return QinsTensor.fromStored(spec, stored);
    }
}
