package org.qins.transformer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@code config.json} in both styles: transformers >= 5 ({@code rope_parameters}) and older
 * Hub configs (top-level {@code rope_theta} + {@code rope_scaling}). EOS ids come from
 * {@code generation_config.json} when present, as HF's {@code generate} takes them from there.
 */
public final class ConfigLoader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigLoader() {
    }

    public static ModelConfig load(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        JsonNode config = read(file);
        JsonNode generation = null;
        Path gen = modelDir.resolve("generation_config.json");
        if (Files.isRegularFile(gen)) {
            generation = read(gen);
        }
        return parse(config, generation, file.toString());
    }

    static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a config tree; {@code source} names the file in error messages. */
    public static ModelConfig parse(JsonNode c, JsonNode generation, String source) {
        JsonNode archs = c.path("architectures");
        if (!archs.isArray() || archs.isEmpty()) {
            throw new UnsupportedModelException(source + ": no 'architectures' entry");
        }
        Architecture arch = Architecture.forClassName(archs.get(0).asText(), source);
        String modelType = c.path("model_type").asText("");
        if (!modelType.equals(arch.modelType())) {
            throw new UnsupportedModelException(source + ": model_type '" + modelType + "' does not match architecture "
                    + arch.className() + " (expected '" + arch.modelType() + "')");
        }
        String act = c.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new UnsupportedModelException(source + ": unsupported hidden_act '" + act + "' (supported: silu)");
        }
        for (String bias : List.of("attention_bias", "mlp_bias")) {
            if (c.path(bias).asBoolean(false)) {
                throw new UnsupportedModelException(source + ": " + bias + "=true is not supported");
            }
        }
        int hidden = required(c, "hidden_size", source);
        int heads = required(c, "num_attention_heads", source);
        int kvHeads = c.hasNonNull("num_key_value_heads") ? c.get("num_key_value_heads").asInt() : heads;
        int headDim = c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : hidden / heads;
        int maxPos = c.path("max_position_embeddings").asInt(2048);
        RopeConfig rope = rope(c, headDim, maxPos, source);
        return new ModelConfig(arch, hidden, required(c, "intermediate_size", source), required(c, "num_hidden_layers", source),
                heads, kvHeads, headDim, required(c, "vocab_size", source), (float) c.path("rms_norm_eps").asDouble(1e-6),
                c.path("tie_word_embeddings").asBoolean(false), maxPos, rope, c.path("bos_token_id").asInt(-1),
                eosIds(generation != null && generation.hasNonNull("eos_token_id") ? generation : c));
    }

    private static RopeConfig rope(JsonNode c, int headDim, int maxPos, String source) {
        // v5 keeps everything in rope_parameters; older configs split rope_theta and rope_scaling.
        JsonNode params = c.path("rope_parameters");
        JsonNode scaling = params.isObject() ? params : c.path("rope_scaling");
        double theta = params.isObject() && params.hasNonNull("rope_theta") ? params.get("rope_theta").asDouble()
                : c.path("rope_theta").asDouble(10000.0);
        double partial = scaling.isObject() && scaling.hasNonNull("partial_rotary_factor")
                ? scaling.get("partial_rotary_factor").asDouble() : c.path("partial_rotary_factor").asDouble(1.0);
        int rotaryDim = (int) (headDim * partial);
        if (rotaryDim <= 0 || rotaryDim % 2 != 0 || rotaryDim > headDim) {
            throw new UnsupportedModelException(source + ": rotary dimension " + rotaryDim + " (head_dim " + headDim
                    + " x partial_rotary_factor " + partial + ") must be even and in (0, head_dim]");
        }
        String type = DEFAULT_TYPE;
        if (scaling.isObject()) {
            type = scaling.hasNonNull("rope_type") ? scaling.get("rope_type").asText() : scaling.path("type").asText(DEFAULT_TYPE);
        }
        type = type.toLowerCase(Locale.ROOT);
        return switch (type) {
            case RopeConfig.DEFAULT -> RopeConfig.standard(theta, rotaryDim);
            case RopeConfig.LONGROPE, "su" -> longRope(c, scaling, theta, rotaryDim, maxPos, source);
            default -> throw new UnsupportedModelException(source + ": unsupported rope type '" + type
                    + "' (supported: default, longrope)");
        };
    }

    private static final String DEFAULT_TYPE = RopeConfig.DEFAULT;

    private static RopeConfig longRope(JsonNode c, JsonNode s, double theta, int rotaryDim, int maxPos, String source) {
        float[] shortF = factors(s, "short_factor", rotaryDim, source);
        float[] longF = factors(s, "long_factor", rotaryDim, source);
        // Phi-3 sets original_max_position_embeddings; the factor is then max / original (HF ignores rope 'factor').
        JsonNode om = s.hasNonNull("original_max_position_embeddings") ? s.get("original_max_position_embeddings")
                : c.get("original_max_position_embeddings");
        int originalMax;
        double attention;
        if (om != null && !om.isNull()) {
            originalMax = om.asInt();
            attention = RopeConfig.longRopeAttentionFactor(maxPos, originalMax);
        } else {
            originalMax = maxPos;
            double factor = s.path("factor").asDouble(1.0);
            attention = factor <= 1.0 ? 1.0 : Math.sqrt(1 + Math.log(factor) / Math.log(originalMax));
        }
        if (s.hasNonNull("attention_factor")) {
            attention = s.get("attention_factor").asDouble();
        }
        return new RopeConfig(RopeConfig.LONGROPE, theta, rotaryDim, shortF, longF, originalMax, attention);
    }

    private static float[] factors(JsonNode s, String key, int rotaryDim, String source) {
        JsonNode a = s.path(key);
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

    private static int required(JsonNode c, String key, String source) {
        JsonNode n = c.get(key);
        if (n == null || !n.canConvertToInt()) {
            throw new UnsupportedModelException(source + ": missing or non-integer '" + key + "'");
        }
        return n.asInt();
    }

    private static List<Integer> eosIds(JsonNode c) {
        JsonNode e = c.path("eos_token_id");
        List<Integer> ids = new ArrayList<>();
        if (e.isArray()) {
            e.forEach(x -> ids.add(x.asInt()));
        } else if (e.canConvertToInt()) {
            ids.add(e.asInt());
        }
        return ids;
    }
}
