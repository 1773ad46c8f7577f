package org.qins.transformer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.ArchitectureRegistry;

/**
 * Reads {@code config.json} in both styles: transformers >= 5 ({@code rope_parameters}) and older
 * Hub configs (top-level {@code rope_theta} + {@code rope_scaling}). EOS ids come from
 * {@code generation_config.json} when present, as HF's {@code generate} takes them from there.
 */
public final class ConfigLoader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigLoader() {
    }

    /** Reads {@code modelDir/config.json} with the families registered on the classpath. */
    public static ModelConfig load(Path modelDir) {
        return load(modelDir, ArchitectureRegistry.standard());
    }

    public static ModelConfig load(Path modelDir, ArchitectureRegistry architectures) {
        Path file = modelDir.resolve("config.json");
        JsonNode config = read(file);
        JsonNode generation = null;
        Path gen = modelDir.resolve("generation_config.json");
        if (Files.isRegularFile(gen)) {
            generation = read(gen);
        }
        return parse(config, generation, file.toString(), architectures);
    }

    static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a config tree with the families registered on the classpath; {@code source} names the file in error messages. */
    public static ModelConfig parse(JsonNode c, JsonNode generation, String source) {
        return parse(c, generation, source, ArchitectureRegistry.standard());
    }

    /** Parses a config tree; the family comes from {@code architectures}. */
    public static ModelConfig parse(JsonNode c, JsonNode generation, String source, ArchitectureRegistry architectures) {
        JsonNode archs = c.path("architectures");
        if (!archs.isArray() || archs.isEmpty()) {
            throw new UnsupportedModelException(source + ": no 'architectures' entry");
        }
        String className = archs.get(0).asText();
        Architecture arch = architectures.find(className).orElseThrow(() -> new UnsupportedModelException(source
                + ": unsupported architecture '" + className + "' (registered: " + String.join(", ", architectures.classNames()) + ")"));
        String modelType = c.path("model_type").asText("");
        if (!modelType.equals(arch.modelType())) {
            throw new UnsupportedModelException(source + ": model_type '" + modelType + "' does not match architecture "
                    + arch.className() + " (expected '" + arch.modelType() + "')");
        }
        String act = c.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new UnsupportedModelException(source + ": unsupported hidden_act '" + act + "' (supported: silu)");
        }
        int hidden = required(c, "hidden_size", source);
        int heads = required(c, "num_attention_heads", source);
        int layers = required(c, "num_hidden_layers", source);
        int kvHeads = c.hasNonNull("num_key_value_heads") ? c.get("num_key_value_heads").asInt() : heads;
        int headDim = c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : hidden / heads;
        int maxPos = c.path("max_position_embeddings").asInt(2048);
        RopeConfig rope = new RopeParser(c, source).parse(headDim, maxPos);
        return new ModelConfig(arch, hidden, required(c, "intermediate_size", source), layers, heads, kvHeads, headDim,
                required(c, "vocab_size", source), (float) c.path("rms_norm_eps").asDouble(1e-6),
                c.path("tie_word_embeddings").asBoolean(false), maxPos, rope, arch.biases().resolve(flag -> c.path(flag).asBoolean(false)),
                SlidingWindowParser.window(arch.slidingWindow(), c, layers, source), c.path("bos_token_id").asInt(-1),
                eosIds(generation != null && generation.hasNonNull("eos_token_id") ? generation : c));
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
