package org.qins.tools.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.qins.api.DType;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.tools.synth.ModelShape.Family;

/**
 * What a model directory holds, in the words {@code qins synth} uses for what it is asked:
 * {@code phi3-h3072-...-c131072 BF16 seed 42}. Read back from the files themselves (config.json,
 * the tensors' dtype and the seed in the safetensors metadata), so a directory written by an
 * older version, or by anyone else, is described too.
 */
final class SynthIdentity {

    private SynthIdentity() {
    }

    static String describe(ModelShape shape, DType dtype, long seed) {
        return shape.key() + " " + dtype + " seed " + seed;
    }

    /** True when {@code dir} holds a config and a checkpoint (one file or an index). */
    static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json")) && (Files.isRegularFile(dir.resolve(Checkpoint.SINGLE_FILE))
                || Files.isRegularFile(dir.resolve(Checkpoint.INDEX_FILE)));
    }

    /** The identity of the model in {@code dir}, or a description of why it is not a synthetic model. */
    static String read(Path dir) {
        ModelShape shape;
        try {
            shape = shapeOf(new ObjectMapper().readTree(dir.resolve("config.json").toFile()));
        } catch (IOException | RuntimeException e) {
            return "a model whose config.json qins synth cannot read back (" + e.getMessage() + ")";
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            String seed = c.metadata().get(RandomModelWriter.SYNTHETIC_KEY);
            if (seed == null || !seed.startsWith("seed=")) {
                return "a model that qins synth did not write (" + shape.key() + ", no '" + RandomModelWriter.SYNTHETIC_KEY
                        + "' metadata)";
            }
            TensorView embed = c.tensor("model.embed_tokens.weight");
            return describe(shape, embed.dtype(), Long.parseLong(seed.substring(5)));
        } catch (RuntimeException e) {
            return "a model whose checkpoint qins synth cannot read back (" + e.getMessage() + ")";
        }
    }

    private static ModelShape shapeOf(JsonNode c) {
        String arch = c.path("architectures").path(0).asText();
        JsonNode scaling = c.path("rope_scaling");
        String ropeType = scaling.path("rope_type").asText(scaling.path("type").asText("default")).toLowerCase(Locale.ROOT);
        Family family = arch.equals("Phi3ForCausalLM") ? Family.PHI3 : ropeType.equals("llama3") ? Family.LLAMA3 : Family.LLAMA;
        int original = switch (family) {
            case LLAMA -> 0;
            case LLAMA3 -> scaling.path("original_max_position_embeddings").asInt();
            case PHI3 -> c.path("original_max_position_embeddings").asInt();
        };
        return new ModelShape(family, c.path("hidden_size").asInt(), c.path("num_hidden_layers").asInt(),
                c.path("num_attention_heads").asInt(), c.path("num_key_value_heads").asInt(), c.path("intermediate_size").asInt(),
                c.path("vocab_size").asInt(), c.path("max_position_embeddings").asInt(), original,
                c.path("partial_rotary_factor").asDouble(1.0));
    }
}
