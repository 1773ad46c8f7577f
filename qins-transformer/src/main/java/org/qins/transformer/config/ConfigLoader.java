package org.qins.transformer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.ArchitectureRegistry;
import org.qins.transformer.arch.Projection;
import org.qins.transformer.io.JsonErrors;

/**
 * Reads {@code config.json} in both styles: transformers >= 5 ({@code rope_parameters}) and older
 * Hub configs (top-level {@code rope_theta} + {@code rope_scaling}). EOS ids come from
 * {@code generation_config.json} when present, as HF's {@code generate} takes them from there.
 */
public final class ConfigLoader {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest head size accepted: 16 times the largest in use (256); the rotary tables are computed per head element. */
    public static final int MAX_HEAD_DIM = 4096;

    private ConfigLoader() {
    }

    /** Reads {@code modelDir/config.json} with the families registered on the classpath. */
    public static ModelConfig load(Path modelDir) {
        return load(modelDir, ArchitectureRegistry.standard());
    }

    /** Reads {@code modelDir/config.json}; the family comes from {@code architectures}. */
    public static ModelConfig load(Path modelDir, ArchitectureRegistry architectures) {
        Path file = modelDir.resolve("config.json");
        JsonNode config = read(file);
        JsonNode generation = null;
        Path gen = modelDir.resolve("generation_config.json");
        if (Files.isRegularFile(gen)) {
            generation = read(gen);
        }
        return parse(config, generation, file.toString(), gen.toString(), architectures);
    }

    /** The JSON object in {@code file}, or an error naming the file. */
    static JsonNode read(Path file) {
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UnsupportedModelException("cannot read " + file + ": " + JsonErrors.describe(e));
        }
        if (n == null || !n.isObject()) {
            throw new UnsupportedModelException(file + ": must hold a JSON object, got " + JsonErrors.kind(n));
        }
        return n;
    }

    /** Parses a config tree with the families registered on the classpath; {@code source} names the file in error messages. */
    public static ModelConfig parse(JsonNode c, JsonNode generation, String source) {
        return parse(c, generation, source, "generation_config.json", ArchitectureRegistry.standard());
    }

    /**
     * As {@link #parse(JsonNode, JsonNode, String)}, naming the generation config {@code generationSource}, the
     * family from {@code architectures}.
     */
    public static ModelConfig parse(JsonNode c, JsonNode generation, String source, String generationSource,
            ArchitectureRegistry architectures) {
        if (c == null || !c.isObject()) {
            throw new UnsupportedModelException(source + ": must hold a JSON object");
        }
        ConfigFields f = new ConfigFields(c, source, "");
        Architecture arch = architecture(c, source, architectures);
        String modelType = f.text("model_type", "");
        if (!modelType.equals(arch.modelType())) {
            throw new UnsupportedModelException(source + ": model_type '" + modelType + "' does not match architecture "
                    + arch.className() + " (expected '" + arch.modelType() + "')");
        }
        String act = f.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new UnsupportedModelException(source + ": unsupported hidden_act '" + act + "' (supported: silu)");
        }
        int hidden = f.positiveInt("hidden_size");
        int heads = f.positiveInt("num_attention_heads");
        int kvHeads = f.positiveInt("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw f.error("num_key_value_heads", "(" + kvHeads + ") must divide num_attention_heads (" + heads + ")");
        }
        if (!f.has("head_dim") && hidden % heads != 0) {
            throw f.error("num_attention_heads", "(" + heads + ") must divide hidden_size (" + hidden + ") when head_dim is not given");
        }
        int headDim = f.positiveInt("head_dim", hidden / heads);
        if (headDim > MAX_HEAD_DIM) {
            throw f.error(f.has("head_dim") ? "head_dim" : "hidden_size", "gives a head size of " + headDim + ", above the engine's"
                    + " limit of " + MAX_HEAD_DIM + " (models use 64 to 256)");
        }
        int inter = f.positiveInt("intermediate_size");
        int vocab = f.positiveInt("vocab_size");
        checkSizes(f, heads, kvHeads, headDim, inter);
        int maxPos = f.positiveInt("max_position_embeddings", 2048);
        double eps = f.positiveFinite("rms_norm_eps", 1e-6);
        if (!((float) eps > 0f) || !Float.isFinite((float) eps)) {
            throw f.error("rms_norm_eps", "must be a finite number > 0 in float32, got " + eps);
        }
        RopeConfig rope = RopeReader.read(c, headDim, maxPos, source);
        int bos = f.integer("bos_token_id", -1);
        if (f.has("bos_token_id") && (bos < 0 || bos >= vocab)) {
            throw f.error("bos_token_id", "(" + bos + ") must be a token id in [0, vocab_size " + vocab + ")");
        }
        boolean fromGeneration = generation != null && generation.isObject() && generation.hasNonNull("eos_token_id");
        List<Integer> eos = eosIds(fromGeneration ? generation : c, fromGeneration ? generationSource : source, vocab);
        int layers = f.positiveInt("num_hidden_layers");
        Set<Projection> biases = arch.biases().resolve(flag -> f.bool(flag, false));
        int window = SlidingWindowParser.window(arch.slidingWindow(), c, layers, source);
        return new ModelConfig(arch, hidden, inter, layers, heads, kvHeads, headDim, vocab, (float) eps,
                f.bool("tie_word_embeddings", false), maxPos, rope, biases, window, bos, eos);
    }

    private static Architecture architecture(JsonNode c, String source, ArchitectureRegistry architectures) {
        JsonNode archs = c.path("architectures");
        if (!archs.isArray() || archs.isEmpty()) {
            throw new UnsupportedModelException(source + ": no 'architectures' entry");
        }
        if (!archs.get(0).isTextual()) {
            throw new UnsupportedModelException(source + ": 'architectures' must list class names (strings), got "
                    + ConfigFields.show(archs.get(0)));
        }
        String className = archs.get(0).textValue();
        return architectures.find(className).orElseThrow(() -> new UnsupportedModelException(source + ": unsupported architecture '"
                + className + "' (registered: " + String.join(", ", architectures.classNames()) + ")"));
    }

    /** Per-token row sizes must fit in an int: the engine's buffers are float arrays. */
    private static void checkSizes(ConfigFields f, int heads, int kvHeads, int headDim, int inter) {
        try {
            Math.addExact(Math.multiplyExact(heads, headDim), Math.multiplyExact(2, Math.multiplyExact(kvHeads, headDim)));
        } catch (ArithmeticException e) {
            throw f.error("head_dim", "(" + headDim + ") x (num_attention_heads " + heads + " + 2 x num_key_value_heads " + kvHeads
                    + ") exceeds the largest row the engine holds (" + Integer.MAX_VALUE + ")");
        }
        if (inter > Integer.MAX_VALUE / 2) {
            throw f.error("intermediate_size", "(" + inter + ") x 2 exceeds the largest row the engine holds (" + Integer.MAX_VALUE + ")");
        }
    }

    private static List<Integer> eosIds(JsonNode c, String source, int vocab) {
        JsonNode e = c.get("eos_token_id");
        List<Integer> ids = new ArrayList<>();
        if (e == null || e.isNull()) {
            return ids;
        }
        for (JsonNode x : e.isArray() ? e : List.of(e)) {
            if (!x.isIntegralNumber() || !x.canConvertToInt() || x.intValue() < 0 || x.intValue() >= vocab) {
                throw new UnsupportedModelException(source + ": 'eos_token_id' must be a token id in [0, vocab_size " + vocab
                        + ") or a list of them, got " + ConfigFields.show(x));
            }
            ids.add(x.intValue());
        }
        return ids;
    }
}
