package org.qins.transformer.provider;

import org.qins.api.CodecAtRest;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/**
 * Builds linear layers from stored weights with the provider the user asked for. When that
 * provider cannot read the stored format (a float layer over a QINS checkpoint), the weight is
 * decoded at load by a provider that can, and handed over as float32: an explicit choice is
 * honoured, never silently replaced.
 */
public final class LayerLoader {

    private final ProviderSelector selector;
    private final String explicitName;
    private final LayerContext context;

    /**
     * @param explicitName the provider the user named, or null to apply the flag and priorities
     */
    public LayerLoader(ProviderSelector selector, String explicitName, LayerContext context) {
        this.selector = selector;
        this.explicitName = explicitName;
        this.context = context;
    }

    /**
     * The programmatic override of {@code QINS_CODEC_AT_REST}, as the seed's
     * {@code convert(model, use_codec=True|False)}: {@code true} = Pattern A ({@code qins}),
     * {@code false} = the deprecated legacy layer ({@code qins-legacy}).
     */
    public static LayerLoader useCodec(ProviderSelector selector, boolean useCodec, LayerContext context) {
        return new LayerLoader(selector, useCodec ? CodecAtRest.PATTERN_A : CodecAtRest.LEGACY, context);
    }

    public LayerContext context() {
        return context;
    }

    /** The provider that will compute layers stored as {@code storedFormat}. */
    public LinearLayerProvider providerFor(String storedFormat) {
        if (explicitName != null) {
            return selector.registry().linear(explicitName);
        }
        return selector.chooseLinear(null, storedFormat).provider();
    }

    public LinearLayer load(LayerSpec spec, StoredWeight stored) {
        LinearLayerProvider chosen = explicitName != null
                ? selector.selectLinear(explicitName, stored.format()).provider()
                : selector.selectLinear(null, stored.format()).provider();
        if (chosen.supports(stored.format())) {
            return chosen.load(spec, stored, context);
        }
        LinearLayerProvider decoder = decoderOf(stored);
        TensorView decoded = decoder.decode(spec, stored);
        StoredWeight asFloat = StoredWeight.ofFloat(stored.name(), decoded);
        if (!chosen.supports(asFloat.format())) {
            throw new IllegalArgumentException("provider '" + chosen.name() + "' can load neither " + stored.format()
                    + " (layer " + stored.name() + ") nor its float decoding");
        }
        return chosen.load(spec, asFloat, context);
    }

    /**
     * A weight the converter keeps in float (the LM head): computed by the float reference
     * provider {@value ProviderSelector#FLOAT_REFERENCE} when it is on the classpath, so that
     * Pattern A over a float checkpoint encodes exactly what {@code qins convert} would. A head
     * stored encoded (converted with {@code --encode-head}) loads like any other weight.
     */
    public LinearLayer loadKeptFloat(LayerSpec spec, StoredWeight stored) {
        if (stored.isFloat() && selector.registry().hasLinear(ProviderSelector.FLOAT_REFERENCE)) {
            return selector.registry().linear(ProviderSelector.FLOAT_REFERENCE).load(spec, stored, context);
        }
        return load(spec, stored);
    }

    private LinearLayerProvider decoderOf(StoredWeight stored) {
        for (LinearLayerProvider p : selector.registry().linearProviders()) {
            if (p.supports(stored.format())) {
                return p;
            }
        }
        throw new IllegalArgumentException("layer " + stored.name() + " is stored as " + stored.format()
                + ", which no provider on the classpath reads; the classpath supports "
                + selector.registry().linearProviders().stream().map(LinearLayerProvider::name).toList());
    }
}
