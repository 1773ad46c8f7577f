package org.qins.legacy;

import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;

/** Registration placeholder; the layer is built in the codec issue. */
public final class ProjectiveLinearProvider implements LinearLayerProvider {

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
        return switch (storedFormat) {
            case "f32", "f16", "bf16", "qins9", "qins8", "qins8-seed" -> true;
            default -> false;
        };
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        throw new UnsupportedOperationException("qins-legacy: not implemented yet");
    }
}
