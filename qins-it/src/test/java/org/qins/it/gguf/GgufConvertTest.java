package org.qins.it.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.convert.ConversionReport;
import org.qins.transformer.gguf.HfToGguf;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;
import org.qins.transformer.source.ModelSource;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * {@code qins convert --model FILE.gguf}: a Q8_0 GGUF converts to a QINS directory (block projections encoded
 * from the decoded Q8_0 values, the Q8_0 head decoded to float, config and tokenizer files written from the
 * metadata) that computes exactly what the GGUF computes when loaded directly with Pattern A (encoded at load).
 */
class GgufConvertTest {

    @TempDir
    static Path work;
    static QinsEngine engine;

    @BeforeAll
    static void start() {
        engine = QinsEngine.builder().threads(2).kv("fp32").build();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void aQ8_0GgufConvertsToTheModelItRunsAs() throws IOException {
        Path fixture = Path.of(System.getProperty("qins.fixtures"), "tiny-llama");
        Path gguf = HfToGguf.write(fixture, work.resolve("tiny-llama-q8_0.gguf"), HfToGguf.Type.Q8_0);
        Path out = work.resolve("tiny-llama-q8_0-qins");
        ConversionReport r = engine.convert(gguf, out, ConversionOptions.of(engine.defaultFormat(), Map.of()), ConversionListener.NONE);
        assertThat(r.encodedTensors()).isEqualTo(3 * 7);
        assertThat(out.resolve("config.json")).exists();
        try (Checkpoint c = Checkpoint.open(out)) {
            assertThat(c.isEncoded("model.layers.0.self_attn.q_proj")).isTrue();
            assertThat(c.metadata().get("model.layers.0.self_attn.q_proj.format")).isEqualTo("qins9");
            assertThat(c.tensor("lm_head.weight").dtype().isFloat()).isTrue(); // the head stays float, decoded from Q8_0
        }
        List<float[]> x = logits(out);
        List<float[]> y = logits(gguf);
        double max = 0;
        for (int i = 0; i < x.size(); i++) {
            for (int j = 0; j < x.get(i).length; j++) {
                max = Math.max(max, Math.abs(x.get(i)[j] - y.get(i)[j]));
            }
        }
        assertThat(x).hasSize(8);
        // Same codes on both sides. Not asserted as zero: the Vector API's lane sums (reduceLanes) add in
        // one order interpreted and another once C2 has compiled a kernel, so two runs in one JVM can
        // differ in the last bits (7.7e-6 seen once in a full CI run); a different encoding moves logits
        // by 1e-2 and more.
        assertThat(max).as("largest |logit difference|, converted directory vs the GGUF encoded at load").isLessThan(1e-4);
        try (Tokenizer a = ModelSource.of(out).tokenizer(); Tokenizer b = ModelSource.of(gguf).tokenizer()) {
            assertThat(a.encode("Once upon a time, a dog.")).isEqualTo(b.encode("Once upon a time, a dog."));
        }
        assertThat(ModelSource.of(out).config().rope()).isEqualTo(ModelSource.of(gguf).config().rope());
    }

    @Test
    void anUnsupportedTensorTypeIsNamed() throws IOException {
        Path fixture = Path.of(System.getProperty("qins.fixtures"), "tiny-llama");
        byte[] b = Files.readAllBytes(HfToGguf.write(fixture, work.resolve("q4.gguf"), HfToGguf.Type.F32));
        // the type of tensor info 'token_embd.weight' (after its name, dimension count and two dimensions): F32 (0) to Q4_K (12)
        Path bad = work.resolve("bad.gguf");
        int at = indexOf(b, "token_embd.weight".getBytes()) + "token_embd.weight".length() + 4 + 16;
        b[at] = 12;
        Files.write(bad, b);
        assertThatThrownBy(() -> engine.load(bad).close()).hasMessageContaining(bad + ": tensor 'token_embd.weight' has type Q4_K;"
                + " the engine reads F32, F16, BF16 and Q8_0");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    /** Prefill of a 6-token prompt and 8 greedy steps: every logit row. */
    private static List<float[]> logits(Path model) {
        List<float[]> rows = new ArrayList<>();
        try (CausalLm lm = engine.load(model)) {
            assertThat(lm.describeLinear()).startsWith("qins qins9");
            Sequence s = lm.newSequence(engine.kvCache(), 64);
            float[] l = s.prefill(new int[] {1, 5, 9, 33, 70, 100});
            for (int i = 0; i < 8; i++) {
                rows.add(l.clone());
                l = s.step(argmax(l));
            }
        }
        return rows;
    }

    private static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            best = a[i] > a[best] ? i : best;
        }
        return best;
    }
}
