package org.qins.it.fidelity;

import org.qins.api.EncodeOptions;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.codec.QinsLinearProvider;

/**
 * Encodes with a {@link CalibratedEncoder} method and one model's {@link ActivationStats}, for
 * the converter in the calibration experiment; what it writes is plain qins9, loaded and decoded
 * by the {@code qins} provider.
 */
final class CalibratedProvider implements LinearLayerProvider {

    private final QinsLinearProvider qins = new QinsLinearProvider();
    private final ActivationStats stats;
    private final CalibratedEncoder.Method method;

    CalibratedProvider(ActivationStats stats, CalibratedEncoder.Method method) {
        this.stats = stats;
        this.method = method;
    }

    @Override
    public String name() {
        return "qins-calibrated-" + method.id();
    }

    @Override
    public int priority() {
        return -1;
    }

    @Override
    public String description() {
        return "qins9 encoded with " + method.id() + " calibration (test)";
    }

    @Override
    public boolean supports(String storedFormat) {
        return qins.supports(storedFormat);
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        return qins.load(spec, stored, context);
    }

    @Override
    public boolean canEncode() {
        return true;
    }

    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, EncodeOptions options) {
        spec.checkShape(weight);
        int in = spec.inFeatures();
        return CalibratedEncoder.encode(spec.name(), weight.toFloatArray(), spec.outFeatures(), in, stats.of(spec.name(), in), method);
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        return qins.decode(spec, stored);
    }
}
