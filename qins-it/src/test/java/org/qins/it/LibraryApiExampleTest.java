package org.qins.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.GenerationResult;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.tokenizer.StreamDecoder;
import org.qins.transformer.tokenizer.Tokenizer;

/** The README's library example, as written there: convert, load, generate from text with a listener. */
class LibraryApiExampleTest {

    @Test
    void theReadmeExampleRuns(@TempDir Path work) {
        Path model = Fixtures.dir("tiny-llama");
        StringBuilder out = new StringBuilder();
        int[] generated = new int[1];
        // --- the README's example, from here ---
        try (QinsEngine engine = QinsEngine.builder().threads(2).build()) {
            Path converted = work.resolve("tiny-llama-qins");
            engine.convert(model, converted, ConversionOptions.of(engine.defaultFormat(), Map.of()), ConversionListener.NONE);
            try (CausalLm lm = engine.load(converted); Tokenizer tokenizer = Tokenizer.load(converted)) {
                StreamDecoder text = new StreamDecoder(tokenizer);
                GenerationResult r = engine.generator(lm).generate(tokenizer.encode("Once upon a time"),
                        GenerationOptions.greedy(32, Set.copyOf(lm.config().eosTokenIds())),
                        (step, token, logits) -> out.append(text.push(token)));
                out.append(text.flush());
                // --- to here ---
                generated[0] = r.tokens().length;
                assertThat(lm.describeLinear()).startsWith("qins qins9");
                assertThat(tokenizer.decode(r.tokens())).isEqualTo(out.toString());
            }
            assertThat(Files.isRegularFile(work.resolve("tiny-llama-qins/model.safetensors"))).isTrue();
        }
        assertThat(generated[0]).isBetween(1, 32);
    }
}
