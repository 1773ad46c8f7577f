package org.qins.transformer.source;

import java.nio.file.Path;
import org.qins.transformer.arch.ArchitectureRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.gguf.GgufFile;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * A model's files, wherever they are: a Hugging Face directory or a GGUF file. Each call reads what it
 * needs and holds nothing open, except the checkpoint it returns (closed by its owner).
 */
public interface ModelSource {

    /** A GGUF file (by its magic), else a model directory. */
    static ModelSource of(Path path) {
        return GgufFile.isGguf(path) ? new GgufSource(path) : new DirectorySource(path);
    }

    Path path();

    /** The config, its family found among {@code architectures}. */
    ModelConfig config(ArchitectureRegistry architectures);

    default ModelConfig config() {
        return config(ArchitectureRegistry.standard());
    }

    /** The weights of the model {@code config} describes (as {@link #config} gave it), mapped until closed. */
    Checkpoint openCheckpoint(ModelConfig config);

    boolean hasTokenizer();

    Tokenizer tokenizer();

    /** The tokenizer_config.json document (special tokens, add_bos_token, chat_template); empty when there is none. */
    JsonNode tokenizerConfig();

    /** What {@link #tokenizerConfig} came from, for messages. */
    String tokenizerConfigName();

    /** Writes what a converted copy needs besides its weights (config, generation config, tokenizer files) into {@code dir}. */
    void writeModelFiles(Path dir);
}
