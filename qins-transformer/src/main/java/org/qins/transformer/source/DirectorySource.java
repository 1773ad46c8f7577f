package org.qins.transformer.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.qins.transformer.arch.ArchitectureRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.tokenizer.Tokenizer;
import org.qins.transformer.tokenizer.TokenizerException;

/** A Hugging Face model directory: config.json, safetensors (single or sharded), tokenizer files. */
record DirectorySource(Path path) implements ModelSource {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public ModelConfig config(ArchitectureRegistry architectures) {
        return ConfigLoader.load(path, architectures);
    }

    @Override
    public Checkpoint openCheckpoint(ModelConfig config) {
        return Checkpoint.open(path);
    }

    @Override
    public boolean hasTokenizer() {
        return Files.isRegularFile(path.resolve("tokenizer.json"));
    }

    @Override
    public Tokenizer tokenizer() {
        return Tokenizer.load(path);
    }

    @Override
    public JsonNode tokenizerConfig() {
        Path file = path.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new TokenizerException(file + ": must hold a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read: " + String.valueOf(e.getMessage()).replaceAll("\\s+", " "), e);
        }
    }

    @Override
    public String tokenizerConfigName() {
        return path.resolve("tokenizer_config.json").toString();
    }

    /** Copies every regular file but the weights (safetensors files and their index). */
    @Override
    public void writeModelFiles(Path dir) {
        try (Stream<Path> files = Files.list(path)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (Files.isRegularFile(p) && !n.endsWith(".safetensors") && !n.equals(Checkpoint.INDEX_FILE)) {
                    Files.copy(p, dir.resolve(n));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot copy the model files of " + path + ": " + e.getMessage(), e);
        }
    }
}
