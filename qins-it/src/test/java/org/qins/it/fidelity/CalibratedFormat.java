package org.qins.it.fidelity;

import org.qins.api.LayerSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;

/**
 * Encodes with a {@link CalibratedEncoder} method and one model's {@link ActivationStats}, for
 * the converter in the calibration experiment; what it writes is plain qins9 (the stored weights
 * name that format), loaded and decoded by the codec.
 */
final class CalibratedFormat implements WeightFormat {

    private final ActivationStats stats;
    private final CalibratedEncoder.Method method;

    CalibratedFormat(ActivationStats stats, CalibratedEncoder.Method method) {
        this.stats = stats;
        this.method = method;
    }

    @Override
    public String name() {
        return "qins9-calibrated-" + method.id();
    }

    @Override
    public String description() {
        return "qins9 encoded with " + method.id() + " calibration (test)";
    }

    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, Options options) {
        spec.checkShape(weight);
        int in = spec.inFeatures();
        return CalibratedEncoder.encode(spec.name(), weight.toFloatArray(), spec.outFeatures(), in, stats.of(spec.name(), in), method);
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        return WeightFormat.forName(stored.format()).decode(spec, stored);
    }
}
