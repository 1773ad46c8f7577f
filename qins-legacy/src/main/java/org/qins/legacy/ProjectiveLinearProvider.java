package org.qins.legacy;

import org.qins.api.EncodeOptions;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.codec.QinsLinearProvider;
import org.qins.codec.QinsTensor;

/**
 * The deprecated legacy layer ({@code QINS_CODEC_AT_REST=0}, or {@code --linear qins-legacy}).
 * Reads the same formats as {@code qins} (float weights are encoded at load with the codec's
 * defaults); encoding and decoding are the codec's.
 */
@SuppressWarnings("deprecation")
public final class ProjectiveLinearProvider implements LinearLayerProvider {

    private final QinsLinearProvider codec = new QinsLinearProvider();

    @Override
    public String name() {
        return "qins-legacy";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public String description() {
        return "DEPRECATED: computes in the QINS domain (kept for comparison)";
    }

    @Override
    public boolean supports(String storedFormat) {
        return codec.supports(storedFormat);
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        QinsTensor t = QinsLinearProvider.tensorOf(spec, stored);
        return new ProjectiveLinear(spec, t.codes(), t.signPlane(), t.maxScale(), context.parallel());
    }

    @Override
    public boolean canEncode() {
        return true;
    }

    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, EncodeOptions options) {
        return codec.encode(spec, weight, options);
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        return codec.decode(spec, stored);
    }
}
