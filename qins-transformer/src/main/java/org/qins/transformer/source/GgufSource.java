package org.qins.transformer.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import org.qins.transformer.arch.ArchitectureRegistry;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.gguf.GgufConfig;
import org.qins.transformer.gguf.GgufFile;
import org.qins.transformer.gguf.GgufTensors;
import org.qins.transformer.gguf.GgufVocab;
import org.qins.transformer.tokenizer.Tokenizer;
import org.qins.transformer.tokenizer.TokenizerException;

/**
 * A GGUF file: the config from its metadata ({@link GgufConfig}, checked by {@link ConfigLoader} as a config.json
 * is), its tensors under the family's names ({@link GgufTensors}) and its vocabulary as an equivalent
 * tokenizer.json ({@link GgufVocab}).
 */
record GgufSource(Path path) implements ModelSource {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private String configSource() {
        return path + " (metadata read as config.json)";
    }

    @Override
    public ModelConfig config(ArchitectureRegistry architectures) {
        try (GgufFile f = GgufFile.open(path)) {
            return ConfigLoader.parse(GgufConfig.hfConfig(f), null, configSource(), configSource(), architectures);
        }
    }

    @Override
    public Checkpoint openCheckpoint(ModelConfig config) {
        GgufFile f = GgufFile.open(path);
        try {
            return GgufTensors.checkpoint(f, config);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    @Override
    public boolean hasTokenizer() {
        try (GgufFile f = GgufFile.open(path)) {
            return GgufVocab.present(f.metadata());
        }
    }

    @Override
    public Tokenizer tokenizer() {
        try (GgufFile f = GgufFile.open(path)) {
            if (!GgufVocab.present(f.metadata())) {
                throw new TokenizerException(path + ": no vocabulary (tokenizer.ggml.*) in the file (use --prompt-ids to give token ids)");
            }
            return Tokenizer.fromJson(path, GgufVocab.tokenizerJson(f.metadata()), GgufVocab.tokenizerConfig(f.metadata()));
        }
    }

    @Override
    public JsonNode tokenizerConfig() {
        try (GgufFile f = GgufFile.open(path)) {
            return GgufVocab.present(f.metadata()) ? GgufVocab.tokenizerConfig(f.metadata()) : JSON.createObjectNode();
        }
    }

    @Override
    public String tokenizerConfigName() {
        return path.toString();
    }

    @Override
    public void writeModelFiles(Path dir) {
        try (GgufFile f = GgufFile.open(path)) {
            write(GgufConfig.hfConfig(f), dir.resolve("config.json"));
            if (GgufVocab.present(f.metadata())) {
                write(GgufVocab.tokenizerJson(f.metadata()), dir.resolve("tokenizer.json"));
                write(GgufVocab.tokenizerConfig(f.metadata()), dir.resolve("tokenizer_config.json"));
            }
        }
    }

    private void write(JsonNode node, Path file) {
        try {
            JSON.writeValue(file.toFile(), node);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + file + " (from " + path + "): " + e.getMessage(), e);
        }
    }
}
