package org.qins.tools.report;

import java.util.Set;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormats;
import org.qins.transformer.checkpoint.Checkpoint;

/**
 * A float layer provider that takes some weights from a converted checkpoint: a weight named in
 * {@code fromConverted} is read there and decoded to float32 by its stored format; every other
 * weight is the float source's as loaded. Both compute with the float reference provider, so a
 * model loaded through this one differs from the float model in exactly those weights' values:
 * how a report encodes one layer at a time without writing a checkpoint.
 */
final class MixedWeights implements LinearLayerProvider {

    static final String NAME = "report-mixed";

    private final LinearLayerProvider floatLayers;
    private final Checkpoint converted;
    private final WeightFormats formats;
    private final Set<String> fromConverted;

    MixedWeights(LinearLayerProvider floatLayers, Checkpoint converted, WeightFormats formats, Set<String> fromConverted) {
        this.floatLayers = floatLayers;
        this.converted = converted;
        this.formats = formats;
        this.fromConverted = Set.copyOf(fromConverted);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public String description() {
        return "the float model with chosen weights taken from a converted checkpoint (qins report)";
    }

    @Override
    public Set<String> formats() {
        return floatLayers.formats();
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        if (!fromConverted.contains(spec.name())) {
            return floatLayers.load(spec, stored, context);
        }
        StoredWeight encoded = converted.linear(spec.name());
        TensorView decoded = formats.forName(encoded.format()).decode(spec, encoded);
        return floatLayers.load(spec, StoredWeight.ofFloat(spec.name(), decoded), context);
    }
}
