package org.qins.it.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.tokenizer.StreamDecoder;
import org.qins.transformer.tokenizer.Tokenizer;

/** The fixtures' byte-level BPE tokenizer through DJL (native library from the jar, offline). */
class TokenizerTest {

    private static final String TEXT = "The quick brown fox, naïve café — 日本語 ✓ jumps over the lazy dog.";

    @Test
    void roundTripsAndPrependsBosPerTokenizerConfig() {
        try (Tokenizer t = Tokenizer.load(Engines.fixture("tiny-llama"))) {
            int[] ids = t.encode(TEXT);
            assertThat(ids[0]).isEqualTo(1); // <s>, add_bos_token: true
            assertThat(ids).hasSizeGreaterThan(10);
            assertThat(java.util.Arrays.stream(ids).skip(1)).doesNotContain(1);
            assertThat(t.decode(ids)).isEqualTo(TEXT);
        }
    }

    @Test
    void addBosFalseLeavesItOut(@TempDir Path dir) throws Exception {
        Path src = Engines.fixture("tiny-llama");
        Files.copy(src.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), Files.readString(src.resolve("tokenizer_config.json"))
                .replace("\"add_bos_token\": true", "\"add_bos_token\": false"));
        try (Tokenizer t = Tokenizer.load(dir); Tokenizer withBos = Tokenizer.load(src)) {
            int[] ids = t.encode(TEXT);
            assertThat(ids[0]).isNotEqualTo(1);
            assertThat(ids).isEqualTo(java.util.Arrays.copyOfRange(withBos.encode(TEXT), 1, ids.length + 1));
        }
    }

    @Test
    void streamingEmitsOnlyCompleteCharacters() {
        try (Tokenizer t = Tokenizer.load(Engines.fixture("tiny-llama"))) {
            int[] ids = t.encode(TEXT);
            StreamDecoder stream = new StreamDecoder(t);
            StringBuilder out = new StringBuilder();
            int withheld = 0;
            for (int id : ids) {
                String piece = stream.push(id);
                assertThat(piece).doesNotContain("\uFFFD");
                withheld += piece.isEmpty() ? 1 : 0;
                out.append(piece);
            }
            out.append(stream.flush());
            assertThat(out.toString()).isEqualTo(TEXT);
            // The byte-level tokens split the multi-byte characters, so some pushes had to wait.
            assertThat(withheld).isGreaterThan(1);
        }
    }
}
