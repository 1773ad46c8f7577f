package org.qins.transformer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every tokenizer loading error names the file it comes from, including errors of the native tokenizers library. */
class TokenizerErrorsTest {

    @TempDir
    Path dir;
    private Path tokenizer;
    private Path config;

    static String resource(String name) throws IOException {
        try (InputStream in = TokenizerErrorsTest.class.getResourceAsStream("/fuzz/tokenizer/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void validFiles() throws IOException {
        tokenizer = dir.resolve("tokenizer.json");
        config = dir.resolve("tokenizer_config.json");
        Files.writeString(tokenizer, resource("bpe-tokenizer.json"));
        Files.writeString(config, resource("tokenizer_config.json"));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(Path named) {
        return assertThatThrownBy(() -> Tokenizer.load(dir).close()).isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(named.toString());
    }

    @Test
    void theSeedTokenizersLoadAndRoundTrip() throws IOException {
        for (String seed : new String[] {"bpe-tokenizer.json", "wordlevel-tokenizer.json"}) {
            Files.writeString(tokenizer, resource(seed));
            try (Tokenizer t = Tokenizer.load(dir)) {
                int[] ids = t.encode("hello world");
                assertThat(ids[0]).as(seed).isEqualTo(1);
                assertThat(t.decode(ids).replace(" ", "")).as(seed).isEqualTo("helloworld");
            }
        }
    }

    @Test
    void aCorruptTokenizerConfigIsReportedAsThatFile() throws IOException {
        Files.writeString(config, "{\"bos_token\": \"<s>\", ");
        refused(config).hasMessageContaining("cannot read");
        Files.writeString(config, "[\"<s>\"]");
        refused(config).hasMessageContaining("must hold a JSON object, got ARRAY");
        Files.writeString(config, "{\"add_bos_token\": \"yes\"}");
        refused(config).hasMessageContaining("add_bos_token must be true or false");
        Files.writeString(config, "{\"add_bos_token\": true, \"bos_token\": \"<bos>\"}");
        refused(config).hasMessageContaining("bos_token '<bos>' is not a token of " + tokenizer);
    }

    @Test
    void aCorruptTokenizerJsonIsReportedAsThatFile() throws IOException {
        Files.writeString(tokenizer, resource("bpe-tokenizer.json").substring(0, 300));
        refused(tokenizer).hasMessageContaining("cannot read");
        Files.writeString(tokenizer, "{\"added_tokens\": {\"id\": 1}}");
        refused(tokenizer).hasMessageContaining("added_tokens must be a list");
        Files.writeString(tokenizer, "{\"added_tokens\": [{\"id\": \"1\", \"content\": \"<s>\"}]}");
        refused(tokenizer).hasMessageContaining("each added_tokens entry needs a string content and an id >= 0");
    }

    @Test
    void errorsOfTheTokenizersLibraryNameTheFile() throws IOException {
        Files.writeString(tokenizer, resource("bpe-tokenizer.json").replace("\"type\": \"BPE\"", "\"type\": \"NoSuchModel\""));
        refused(tokenizer).hasMessageContaining("the tokenizers library cannot load it");
        Files.writeString(tokenizer, "{\"added_tokens\": [{\"id\": 1, \"content\": \"<s>\"}]}");
        refused(tokenizer).hasMessageContaining("the tokenizers library cannot load it");
    }

    @Test
    void aMissingTokenizerSaysWhatToDo() throws IOException {
        Files.delete(tokenizer);
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(TokenizerException.class)
                .hasMessage(dir + ": no tokenizer.json (use --prompt-ids to give token ids)");
    }

    @Test
    void postProcessorsTheNativeLibraryWouldCrashOnAreRefused() throws IOException {
        // Found by TokenizerFuzzTest: these load in the tokenizers library, then abort the JVM at the first encode.
        Files.writeString(config, "{}"); // no add_bos_token: the post-processor adds the specials
        String bpe = resource("bpe-tokenizer.json");
        Files.writeString(tokenizer, bpe.replace("\"SpecialToken\": {\n     \"id\": \"<s>\"", "\"SpecialToken\": {\n     \"id\": \"BF16\""));
        refused(tokenizer).hasMessageContaining("post_processor.single uses special token 'BF16', which special_tokens does not define")
                .hasMessageContaining("would crash the process");
        Files.writeString(tokenizer, bpe.replace("\"id\": \"A\"", "\"id\": \"B\""));
        refused(tokenizer).hasMessageContaining("post_processor.single uses sequence B");
        Files.writeString(tokenizer, bpe.replace("\"ids\": [\n     1\n    ]", "\"ids\": [1, 2]"));
        refused(tokenizer).hasMessageContaining("post_processor.special_tokens['<s>'] has 2 ids but 1 tokens");
        Files.writeString(tokenizer, "{\"post_processor\": {\"type\": \"Sequence\", \"processors\": [{\"type\": \"ByteLevel\"},"
                + " {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<x>\", \"type_id\": 0}}],"
                + " \"special_tokens\": {}}]}}");
        refused(tokenizer).hasMessageContaining("post_processor.processors[1].single uses special token '<x>'");
        // The library also takes a template whose "type" key is misspelt (found by the long fuzz run).
        Files.writeString(tokenizer, bpe.replace("\"type\": \"TemplateProcessing\"", "\"typw\": \"TemplateProcessing\"")
                .replace("\"SpecialToken\": {\n     \"id\": \"<s>\"", "\"SpecialToken\": {\n     \"id\": \"BF16\""));
        refused(tokenizer).hasMessageContaining("post_processor.single uses special token 'BF16'");
    }

    @Test
    void aTokenizerThatLoadsButCannotEncodeIsRefusedAtLoad() throws IOException {
        // Found by TokenizerFuzzTest: an unk_token missing from the vocabulary fails at the first unknown character.
        Files.writeString(tokenizer, resource("bpe-tokenizer.json").replace("\"unk_token\": \"<unk>\"", "\"unk_token\": \"su\""));
        refused(tokenizer).hasMessageContaining("loads, but the tokenizers library cannot encode and decode a test text with it:"
                + " Unk token `su` not found in the vocabulary");
    }

    @Test
    void bpeMergesShorterThanTheSubwordPrefixAreRefused() throws IOException {
        // Found by the long fuzz run: the library cuts the prefix's byte length off the second token and panics.
        Files.writeString(tokenizer, resource("bpe-tokenizer.json").replace("\"continuing_subword_prefix\": null",
                "\"continuing_subword_prefix\": \"F32\""));
        refused(tokenizer).hasMessageContaining("model.merges entry \"h e\" has a second token that does not begin with whole"
                + " characters of continuing_subword_prefix \"F32\"");
        Files.writeString(tokenizer, resource("bpe-tokenizer.json").replace("\"continuing_subword_prefix\": null",
                "\"continuing_subword_prefix\": \"#\"").replace("\"h e\"", "[\"h\", \"\u00e9\"]"));
        refused(tokenizer).hasMessageContaining("model.merges entry [\"h\",\"é\"]");
    }

    @Test
    void duplicateKeysInTokenizerJsonAreRefused() throws IOException {
        // Found by the long fuzz run: the library builds the first "model", Jackson would check the second.
        String bpe = resource("bpe-tokenizer.json");
        Files.writeString(tokenizer, bpe.replaceFirst("\\{", "{\"model\": 1, "));
        refused(tokenizer).hasMessageContaining("cannot read").hasMessageContaining("Duplicate field 'model'");
    }

    @Test
    void deeplyNestedTokenizerJsonIsRefused() throws IOException {
        // Found by the long fuzz run: a decoder nested past the library's recursion limit made it panic.
        String deep = "[".repeat(200) + "]".repeat(200);
        Files.writeString(tokenizer, resource("bpe-tokenizer.json").replace("\"decoder\": {", "\"decoder\": {\"x\": " + deep + ", "));
        refused(tokenizer).hasMessageContaining("cannot read").hasMessageContaining("nesting depth");
    }
}
