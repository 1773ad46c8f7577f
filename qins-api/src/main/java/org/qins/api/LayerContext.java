package org.qins.api;

/**
 * What a provider gets besides the stored weight when it builds a layer.
 *
 * @param parallel the engine's worker pool
 * @param options  the provider's own options, already checked against {@link LinearLayerProvider#options()}
 */
public record LayerContext(Parallel parallel, Options options) {

    public static LayerContext sequential() {
        return new LayerContext(Parallel.SEQUENTIAL, Options.none());
    }
}
