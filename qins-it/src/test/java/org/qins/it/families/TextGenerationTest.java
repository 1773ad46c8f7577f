package org.qins.it.families;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.GenerationResult;
import org.qins.transformer.generate.Sampler;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.tokenizer.StreamDecoder;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * Each family, converted, generates from a text prompt with its own tokenizer (the fixtures' byte-level
 * BPE): the prompt is tokenized with BOS first, the streamed text is the decoded tokens, and the cached
 * greedy run (60 tokens: past tiny-mistral's window) picks what one forward call over the whole text picks.
 */
class TextGenerationTest {

    static final String PROMPT = "Once upon a time, a little fox";
    static final int STEPS = 60;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama-tied", "tiny-phi3", "tiny-llama3", "tiny-qwen2", "tiny-qwen3", "tiny-mistral",
            "tiny-phi4mini"})
    void aConvertedCheckpointGeneratesFromText(String fixture, @TempDir Path work) {
        Path converted = work.resolve(fixture + "-qins");
        StringBuilder streamed = new StringBuilder();
        try (QinsEngine engine = QinsEngine.builder().threads(2).kv("fp32").build()) {
            engine.convert(Path.of(System.getProperty("qins.fixtures"), fixture), converted,
                    ConversionOptions.of(engine.defaultFormat(), Map.of()), ConversionListener.NONE);
            try (CausalLm lm = engine.load(converted); Tokenizer tokenizer = Tokenizer.load(converted)) {
                int[] prompt = tokenizer.encode(PROMPT);
                assertThat(prompt[0]).as("BOS first").isEqualTo(tokenizer.bosId()).isEqualTo(lm.config().bosTokenId());
                assertThat(tokenizer.decode(prompt, 1, prompt.length)).isEqualTo(PROMPT);
                StreamDecoder text = new StreamDecoder(tokenizer);
                GenerationResult r = engine.generator(lm).generate(prompt, GenerationOptions.greedy(STEPS, Set.of()),
                        (step, token, logits) -> streamed.append(text.push(token)));
                streamed.append(text.flush());
                assertThat(r.tokens()).hasSize(STEPS);
                assertThat(streamed.toString()).isEqualTo(tokenizer.decode(r.tokens()));

                int[] all = new int[prompt.length + STEPS];
                System.arraycopy(prompt, 0, all, 0, prompt.length);
                System.arraycopy(r.tokens(), 0, all, prompt.length, STEPS);
                int vocab = lm.config().vocabSize();
                float[] oneShot = lm.newSequence(engine.kvCache(), all.length).prefillAll(all);
                for (int i = 0; i < STEPS; i++) {
                    int row = prompt.length - 1 + i;
                    int best = Sampler.argmax(java.util.Arrays.copyOfRange(oneShot, row * vocab, (row + 1) * vocab), vocab);
                    assertThat(r.tokens()[i]).as("%s token %d", fixture, i).isEqualTo(best);
                }
                System.out.printf("%s (qins9): %s|%s%n", fixture, PROMPT, streamed.toString().replace("\n", "\\n"));
            }
        }
    }
}
