package org.qins.api;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;

/**
 * What a provider gets besides the stored weight when it builds a layer.
 *
 * @param parallel the engine's worker pool
 * @param options  the provider's own options, already checked against {@link LinearLayerProvider#options()}
 * @param memory   where a layer allocates what it keeps (a float copy, codes encoded at load): the engine passes
 *                 the model's arena, freed when the model is closed, and counts beforehand what
 *                 {@link LinearLayerProvider#allocatedBytes} declares
 */
public record LayerContext(Parallel parallel, Options options, SegmentAllocator memory) {

    /** A context whose layers allocate from an automatic arena (freed when unreachable). */
    public LayerContext(Parallel parallel, Options options) {
        this(parallel, options, Arena.ofAuto());
    }

    public static LayerContext sequential() {
        return new LayerContext(Parallel.SEQUENTIAL, Options.none());
    }
}
