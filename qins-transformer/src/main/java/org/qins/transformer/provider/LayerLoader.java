package org.qins.transformer.provider;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Map;
import org.qins.api.DType;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.Options;
import org.qins.api.Parallel;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/**
 * Builds linear layers from stored weights with the provider the user asked for. A format no provider
 * computes over (GGUF's Q8_0) is decoded to float32 at load first. When the chosen
 * provider cannot read the stored format (a float layer over a QINS checkpoint), the weight is
 * decoded at load by its {@linkplain org.qins.api.WeightFormat format}, found by the name stored
 * with it, and handed over as float32: an explicit choice is honoured, never silently replaced.
 * The user's layer options go to the chosen provider and are checked against the options it
 * declares.
 */
public final class LayerLoader {

    private final ProviderSelector selector;
    private final String explicitName;
    private final Parallel parallel;
    private final Map<String, String> layerOptions;
    private final SegmentAllocator memory;
    /** Whether weights a provider would read in place are first copied into {@link #memory} ({@code --no-mmap}). */
    private final boolean weightsInMemory;

    /**
     * @param explicitName the provider the user named, or null to apply the flag and priorities
     * @param layerOptions options for the chosen provider ({@code key=value}), checked when it is chosen
     */
    public LayerLoader(ProviderSelector selector, String explicitName, Parallel parallel, Map<String, String> layerOptions) {
        this(selector, explicitName, parallel, layerOptions, Arena.ofAuto(), false);
        if (explicitName != null) {
            context(selector.registry().linear(explicitName)); // a misspelt option fails before any weight loads
        }
    }

    private LayerLoader(ProviderSelector selector, String explicitName, Parallel parallel, Map<String, String> layerOptions,
            SegmentAllocator memory, boolean weightsInMemory) {
        this.selector = selector;
        this.explicitName = explicitName;
        this.parallel = parallel;
        this.layerOptions = Map.copyOf(layerOptions);
        this.memory = memory;
        this.weightsInMemory = weightsInMemory;
    }

    /** This loader with layers allocating from {@code memory} (a model's arena, freed when the model closes). */
    public LayerLoader using(SegmentAllocator memory) {
        return new LayerLoader(selector, explicitName, parallel, layerOptions, memory, weightsInMemory);
    }

    /**
     * This loader, copying the weights that providers would compute on in place (the checkpoint's mapped pages) into
     * its memory first when {@code inMemory} (llama.cpp's {@code --no-mmap}): mapped file pages can read markedly
     * slower than anonymous memory, most of all a checkpoint the page cache holds in 4 KiB pages (README, "Converting
     * and generating"). Costs the copy at load; the source pages are released afterwards.
     */
    public LayerLoader weightsInMemory(boolean inMemory) {
        return new LayerLoader(selector, explicitName, parallel, layerOptions, memory, inMemory);
    }

    /** True when weights read in place are copied into memory at load ({@link #weightsInMemory(boolean)}). */
    public boolean weightsInMemory() {
        return weightsInMemory;
    }

    /** {@code stored} with every part copied into this loader's memory: what an in-place layer then reads. */
    private StoredWeight copied(StoredWeight stored) {
        Map<String, TensorView> parts = new java.util.LinkedHashMap<>();
        stored.parts().forEach((name, v) -> parts.put(name, new TensorView(v.name(), v.dtype(), v.shape(),
                memory.allocate(v.data().byteSize(), 64).copyFrom(v.data()))));
        return new StoredWeight(stored.name(), stored.format(), parts, stored.metadata());
    }

    /**
     * Bytes {@link #load} will allocate for this weight: what the chosen provider declares, plus a float32 copy when
     * the weight must be decoded for it first. Nothing is loaded.
     */
    public long allocatedBytes(LayerSpec spec, StoredWeight stored) {
        if (storageOnly(stored)) {
            return decodedBytes(spec) + allocatedBytes(spec, floatStandIn(spec, stored));
        }
        LinearLayerProvider chosen = selector.chooseLinear(explicitName, stored.format()).provider();
        Options options = context(chosen).options();
        if (chosen.supports(stored.format())) {
            return chosen.allocatedBytes(spec, stored, options);
        }
        return decodedBytes(spec) + chosen.allocatedBytes(spec, floatStandIn(spec, stored), options);
    }

    /** {@link #allocatedBytes} for a weight loaded by {@link #loadKeptFloat}. */
    public long keptFloatAllocatedBytes(LayerSpec spec, StoredWeight stored) {
        if (storageOnly(stored)) {
            return decodedBytes(spec) + keptFloatAllocatedBytes(spec, floatStandIn(spec, stored));
        }
        if (stored.isFloat() && selector.registry().hasLinear(ProviderSelector.FLOAT_REFERENCE)) {
            return selector.registry().linear(ProviderSelector.FLOAT_REFERENCE).allocatedBytes(spec, stored, Options.none());
        }
        return allocatedBytes(spec, stored);
    }

    /** Bytes of a float32 decoding of a {@code spec}-shaped weight. */
    private static long decodedBytes(LayerSpec spec) {
        return 4L * spec.outFeatures() * spec.inFeatures();
    }

    /** A float32 weight shaped as {@code stored}'s decoding, with no memory behind it: only for planning. */
    private static StoredWeight floatStandIn(LayerSpec spec, StoredWeight stored) {
        return StoredWeight.ofFloat(stored.name(), new TensorView(stored.name() + ".weight", DType.F32,
                new long[] {spec.outFeatures(), spec.inFeatures()}, MemorySegment.NULL.reinterpret(decodedBytes(spec))));
    }

    public Parallel parallel() {
        return parallel;
    }

    /** The provider that will compute {@code stored} (over its float32 decoding when its format is storage only). */
    public LinearLayerProvider providerFor(LayerSpec spec, StoredWeight stored) {
        if (explicitName != null) {
            return selector.registry().linear(explicitName);
        }
        return selector.chooseLinear(null, (storageOnly(stored) ? floatStandIn(spec, stored) : stored).format()).provider();
    }

    public LinearLayer load(LayerSpec spec, StoredWeight stored) {
        if (weightsInMemory && allocatedBytes(spec, stored) == 0) {
            stored = copied(stored);
        }
        stored = computable(spec, stored);
        LinearLayerProvider chosen = selector.selectLinear(explicitName, stored.format()).provider();
        LayerContext context = context(chosen);
        if (chosen.supports(stored.format())) {
            return chosen.load(spec, stored, context);
        }
        TensorView decoded = selector.registry().formats().forName(stored.format()).decode(spec, stored, memory);
        StoredWeight asFloat = StoredWeight.ofFloat(stored.name(), decoded);
        if (!chosen.supports(asFloat.format())) {
            throw new IllegalArgumentException("provider '" + chosen.name() + "' can load neither " + stored.format()
                    + " (layer " + stored.name() + ") nor its float decoding " + asFloat.format());
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
        stored = computable(spec, stored);
        if (stored.isFloat() && selector.registry().hasLinear(ProviderSelector.FLOAT_REFERENCE)) {
            if (weightsInMemory && keptFloatAllocatedBytes(spec, stored) == 0) {
                stored = copied(stored);
            }
            LinearLayerProvider reference = selector.registry().linear(ProviderSelector.FLOAT_REFERENCE);
            return reference.load(spec, stored, new LayerContext(parallel, Options.none(), memory));
        }
        return load(spec, stored);
    }

    /**
     * {@code stored} itself when some provider computes over its format; otherwise (a GGUF file's Q8_0, which is a
     * storage format only) its float32 decoding by that format, made once here, so that the providers choose as
     * they would for a float checkpoint.
     */
    private StoredWeight computable(LayerSpec spec, StoredWeight stored) {
        if (!storageOnly(stored)) {
            return stored; // (a format nobody knows is refused by the selection, naming the providers)
        }
        return StoredWeight.ofFloat(stored.name(), selector.registry().formats().forName(stored.format()).decode(spec, stored, memory));
    }

    /** A known format no provider computes over (a GGUF file's Q8_0): decoded to float32 at load. */
    private boolean storageOnly(StoredWeight stored) {
        return !stored.isFloat() && selector.registry().formats().has(stored.format())
                && selector.registry().linearProviders().stream().noneMatch(p -> p.supports(stored.format()));
    }

    private LayerContext context(LinearLayerProvider provider) {
        return new LayerContext(parallel, Options.of("linear provider '" + provider.name() + "'", provider.options(), layerOptions),
                memory);
    }
}
