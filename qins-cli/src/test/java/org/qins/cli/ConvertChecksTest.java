package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.model.ModelCheck;

/**
 * {@code convert} checks its source against the config before writing (the refusals are in
 * {@link BrokenInvocationsTest}) and its output after; here the output checks, on a real conversion.
 */
class ConvertChecksTest {

    @TempDir
    static Path tmp;

    private static Path converted;

    @BeforeAll
    static void convert() {
        converted = tmp.resolve("q9");
        StringWriter err = new StringWriter();
        int rc = QinsCommand.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "convert", "--model",
                CompareCommandTest.LLAMA.toString(), "--output", converted.toString());
        assertThat(rc).as(err.toString()).isZero();
    }

    @Test
    void theConvertedModelPassesTheLoadCheckAndIsNotASource() {
        ModelConfig c = ConfigLoader.load(converted);
        try (Checkpoint ckpt = Checkpoint.open(converted)) {
            ModelCheck.requireLoadable(c, ckpt, f -> f.equals("qins9"));
            assertThatThrownBy(() -> ModelCheck.requireLoadable(c, ckpt, f -> false)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("weight 'model.layers.0.self_attn.q_proj' is stored as 'qins9', a format no provider on the"
                            + " classpath reads");
            assertThatThrownBy(() -> ModelCheck.requireConvertible(c, ckpt)).hasMessage(converted
                    + " is already a converted checkpoint (format qins9); convert the float original");
        }
    }

    @Test
    void aConfigThatDisagreesWithTheWrittenTensorsFailsTheLoadCheck() {
        ModelConfig fewer = ConfigLoader.parse(configWith("num_hidden_layers", 2), null, "config.json");
        ModelConfig tied = ConfigLoader.parse(configWith("tie_word_embeddings", true), null, "config.json");
        try (Checkpoint ckpt = Checkpoint.open(converted)) {
            assertThatThrownBy(() -> ModelCheck.requireLoadable(fewer, ckpt, f -> true))
                    .hasMessageContaining("tensor(s) that config.json's model does not use (2 layers");
            // tied: the stored head is ignorable, everything else is read
            ModelCheck.requireLoadable(tied, ckpt, f -> true);
        }
        ModelConfig wider = ConfigLoader.parse(configWith("intermediate_size", 512), null, "config.json");
        try (Checkpoint source = Checkpoint.open(CompareCommandTest.LLAMA)) {
            assertThatThrownBy(() -> ModelCheck.requireConvertible(wider, source)).hasMessage(CompareCommandTest.LLAMA.resolve(
                    "model.safetensors") + ": tensor 'model.layers.0.mlp.gate_proj.weight' is F32[256, 96], config.json's model reads"
                    + " it as a float tensor (F32, F16 or BF16) of shape [512, 96]");
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode configWith(String key, Object value) {
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var c = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(CompareCommandTest.LLAMA.resolve("config.json").toFile());
            c.set(key, json.valueToTree(value));
            return c;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
