package org.qins.transformer.config;

import com.fasterxml.jackson.databind.JsonNode;
import org.qins.transformer.arch.SlidingWindowRule;

/** Reads a family's sliding window from config.json the way its {@link SlidingWindowRule} says. */
final class SlidingWindowParser {

    private SlidingWindowParser() {
    }

    /** The window in positions, 0 for full attention; mixed layer types are refused with the file's name. */
    static int window(SlidingWindowRule rule, JsonNode c, int layers, String source) {
        return switch (rule) {
            case NONE -> 0;
            case SLIDING_WINDOW_KEY -> c.hasNonNull("sliding_window") ? positive(c, source) : 0;
            case LAYER_TYPES -> layerTypes(c, layers, source);
        };
    }

    private static int layerTypes(JsonNode c, int layers, String source) {
        int sliding = 0;
        JsonNode types = c.path("layer_types");
        if (types.isArray()) {
            for (JsonNode t : types) {
                String type = t.asText();
                if (type.equals("sliding_attention")) {
                    sliding++;
                } else if (!type.equals("full_attention")) {
                    throw new UnsupportedModelException(source + ": unsupported layer type '" + type
                            + "' in layer_types (supported: full_attention, sliding_attention)");
                }
            }
        } else if (c.path("use_sliding_window").asBoolean(false) && c.hasNonNull("sliding_window")) {
            sliding = Math.max(0, layers - c.path("max_window_layers").asInt(layers));
        }
        if (sliding == 0) {
            return 0;
        }
        if (sliding != layers) {
            throw new UnsupportedModelException(source + ": " + sliding + " of " + layers
                    + " layers use sliding-window attention (layer_types); only all or none is supported");
        }
        return positive(c, source);
    }

    private static int positive(JsonNode c, String source) {
        JsonNode w = c.get("sliding_window");
        if (w == null || !w.canConvertToInt() || w.asInt() <= 0) {
            throw new UnsupportedModelException(source + ": 'sliding_window' must be a positive integer, got " + w);
        }
        return w.asInt();
    }
}
