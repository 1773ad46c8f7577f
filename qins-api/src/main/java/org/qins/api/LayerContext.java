package org.qins.api;

import java.util.Map;

/**
 * What a provider gets besides the stored weight when it builds a layer.
 *
 * @param parallel the engine's worker pool
 * @param options  provider options given by the user ({@code key=value}); unknown keys are ignored
 */
public record LayerContext(Parallel parallel, Map<String, String> options) {

    /** Option: keep a whole-matrix decoded float copy (off by default; its bytes are counted). */
    public static final String DECODED_CACHE = "decoded-cache";

    public LayerContext {
        options = Map.copyOf(options);
    }

    public static LayerContext sequential() {
        return new LayerContext(Parallel.SEQUENTIAL, Map.of());
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(options.getOrDefault(key, "false"));
    }
}
