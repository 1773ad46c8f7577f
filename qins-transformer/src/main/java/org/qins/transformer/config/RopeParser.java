package org.qins.transformer.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Reads RoPE settings in both config styles: transformers >= 5 keeps them all in
 * {@code rope_parameters}; older Hub configs have a top-level {@code rope_theta} and a
 * {@code rope_scaling} dict (null for plain RoPE) whose type is {@code rope_type} or {@code type}.
 */
final class RopeParser {

    static final String SUPPORTED = "default, linear, llama3, longrope";

    private final JsonNode config;
    private final String source;
    private final JsonNode scaling;
    private final String scalingName;

    RopeParser(JsonNode config, String source) {
        this.config = config;
        this.source = source;
        JsonNode params = config.path("rope_parameters");
        this.scaling = params.isObject() ? params : config.path("rope_scaling");
        this.scalingName = params.isObject() ? "rope_parameters" : "rope_scaling";
    }

    RopeConfig parse(int headDim, int maxPos) {
        double theta = scaling.hasNonNull("rope_theta") ? scaling.get("rope_theta").asDouble() : config.path("rope_theta").asDouble(10000.0);
        double partial = scaling.hasNonNull("partial_rotary_factor") ? scaling.get("partial_rotary_factor").asDouble()
                : config.path("partial_rotary_factor").asDouble(1.0);
        int rotaryDim = (int) (headDim * partial);
        if (rotaryDim <= 0 || rotaryDim % 2 != 0 || rotaryDim > headDim) {
            throw new UnsupportedModelException(source + ": rotary dimension " + rotaryDim + " (head_dim " + headDim
                    + " x partial_rotary_factor " + partial + ") must be even and in (0, head_dim]");
        }
        String typeField = scaling.hasNonNull("rope_type") ? "rope_type" : "type";
        String type = scaling.isObject() ? scaling.path(typeField).asText("default").toLowerCase(Locale.ROOT) : "default";
        return switch (type) {
            case "default" -> RopeConfig.standard(theta, rotaryDim);
            case "linear" -> new RopeConfig(theta, rotaryDim, 1.0, new RopeScaling.Linear(number("factor")));
            case "llama3" -> new RopeConfig(theta, rotaryDim, 1.0, new RopeScaling.Llama3(number("factor"),
                    number("low_freq_factor"), number("high_freq_factor"), (int) number("original_max_position_embeddings")));
            case "longrope", "su" -> longRope(theta, rotaryDim, maxPos);
            default -> throw new UnsupportedModelException(source + ": unsupported rope type '" + type + "' in " + scalingName
                    + "." + typeField + " (supported: " + SUPPORTED + ")");
        };
    }

    private double number(String key) {
        JsonNode n = scaling.get(key);
        if (n == null || !n.isNumber()) {
            throw new UnsupportedModelException(source + ": " + scalingName + "." + key + " must be a number, got " + n);
        }
        return n.asDouble();
    }

    private RopeConfig longRope(double theta, int rotaryDim, int maxPos) {
        float[] shortF = factors("short_factor", rotaryDim);
        float[] longF = factors("long_factor", rotaryDim);
        // Phi-3 sets original_max_position_embeddings; the factor is then max / original (HF ignores rope 'factor').
        JsonNode om = scaling.hasNonNull("original_max_position_embeddings") ? scaling.get("original_max_position_embeddings")
                : config.get("original_max_position_embeddings");
        int originalMax;
        double attention;
        if (om != null && !om.isNull()) {
            originalMax = om.asInt();
            attention = RopeConfig.longRopeAttentionFactor(maxPos, originalMax);
        } else {
            originalMax = maxPos;
            double factor = scaling.path("factor").asDouble(1.0);
            attention = factor <= 1.0 ? 1.0 : Math.sqrt(1 + Math.log(factor) / Math.log(originalMax));
        }
        if (scaling.hasNonNull("attention_factor")) {
            attention = scaling.get("attention_factor").asDouble();
        }
        return new RopeConfig(theta, rotaryDim, attention, new RopeScaling.LongRope(shortF, longF, originalMax));
    }

    private float[] factors(String key, int rotaryDim) {
        JsonNode a = scaling.path(key);
        if (!a.isArray() || a.size() != rotaryDim / 2) {
            throw new UnsupportedModelException(source + ": longrope '" + key + "' must be a list of " + rotaryDim / 2
                    + " numbers (rotary dim / 2), got " + (a.isArray() ? a.size() + " entries" : a.getNodeType()));
        }
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.get(i).asDouble();
        }
        return f;
    }
}
