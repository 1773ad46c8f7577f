package org.qins.tools.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qins.api.Parallel;
import org.qins.api.WeightFormats;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.ModelLoader;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;
import org.qins.transformer.checkpoint.Checkpoint;

/**
 * Loads the float source model with chosen linear weights replaced by a converted checkpoint's
 * ({@link MixedWeights}); the float reference provider computes every layer, the LM head
 * included, so an empty choice is the float model itself.
 */
final class MixedModels {

    private final Path source;
    private final Checkpoint converted;
    private final ProviderRegistry registry;
    private final Parallel parallel;

    /** @param registry where the float reference provider, the KV caches and the weight formats come from */
    MixedModels(Path source, Checkpoint converted, ProviderRegistry registry, Parallel parallel) {
        this.source = source;
        this.converted = converted;
        this.registry = registry;
        this.parallel = parallel;
        registry.linear(ProviderSelector.FLOAT_REFERENCE); // the float layers must be on the classpath
    }

    /** The source model with the weights named in {@code fromConverted} taken from the converted checkpoint. */
    CausalLm load(Set<String> fromConverted) {
        WeightFormats formats = registry.formats();
        MixedWeights mixed = new MixedWeights(registry.linear(ProviderSelector.FLOAT_REFERENCE), converted, formats, fromConverted);
        // Only the mixing provider is offered, so the LM head (loaded with the float reference when one is
        // registered) passes through it too.
        ProviderRegistry only = new ProviderRegistry(List.of(mixed), registry.kvProviders(), formats.all());
        return new ModelLoader(new LayerLoader(new ProviderSelector(only, () -> null), MixedWeights.NAME, parallel, Map.of()))
                .load(source);
    }
}
