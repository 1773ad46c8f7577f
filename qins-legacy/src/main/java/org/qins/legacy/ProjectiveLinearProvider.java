package org.qins.legacy;

import java.util.Set;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;
import org.qins.codec.QinsLinearProvider;
import org.qins.codec.QinsTensor;

/**
 * The deprecated legacy layer ({@code QINS_CODEC_AT_REST=0}, or {@code --linear qins-legacy}).
 * Reads the same formats as {@code qins} (float weights are encoded at load with the codec's
 * defaults); storing and decoding are the codec's weight formats.
 */
@SuppressWarnings("deprecation")
public final class ProjectiveLinearProvider implements LinearLayerProvider {

    /** The codec's formats (float weights are encoded at load with the codec's defaults). */
    private static final Set<String> FORMATS = new QinsLinearProvider().formats();

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
    public Set<String> formats() {
        return FORMATS;
    }

    @Override
    public String preferredFormat() {
        return "qins9";
    }

    @Override
    public boolean deprecated() {
        return true;
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        QinsTensor t = QinsLinearProvider.tensorOf(spec, stored);
        return new ProjectiveLinear(spec, t.codes(), t.signPlane(), t.maxScale(), context.parallel());
    }
}
