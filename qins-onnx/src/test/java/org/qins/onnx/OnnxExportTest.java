package org.qins.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qins.onnx.export.ExportReport;
import org.qins.onnx.export.OnnxExporter;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;

/**
 * Each fixture converted to QINS (the default format), exported, and run by onnxruntime: the prefill and ten
 * cached decode steps give the engine's Pattern A logits ({@code qins} layers over the same checkpoint, KV cache
 * fp32) within 1e-3 at every position, and the same greedy tokens. Prompts long enough to pass tiny-mistral's
 * window and tiny-phi3's original context are included.
 */
class OnnxExportTest {

    static final double TOLERANCE = 1e-3;

    @TempDir
    static Path work;
    static QinsEngine engine;

    @BeforeAll
    static void start() {
        engine = QinsEngine.builder().threads(2).linear("qins").kv("fp32").build();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @ParameterizedTest(name = "{0}, prompt of {1}")
    @CsvSource({"tiny-llama, 7", "tiny-llama-tied, 5", "tiny-llama3, 6", "tiny-qwen2, 9", "tiny-qwen3, 6", "tiny-mistral, 52",
            "tiny-phi3, 12", "tiny-phi3, 260", "tiny-phi4mini, 8", "tiny-stories-1m, 10"})
    void prefillAndTenDecodeStepsMatchTheEngine(String fixture, int promptLength) throws Exception {
        Path qins = work.resolve(fixture + "-qins");
        if (!Files.exists(qins)) {
            engine.convert(Path.of(System.getProperty("qins.fixtures"), fixture), qins, ConversionOptions.of("qins9", Map.of()),
                    ConversionListener.NONE);
        }
        Path onnx = work.resolve(fixture + ".onnx");
        ExportReport report = new OnnxExporter().export(qins, onnx);
        long checkpoint = Files.size(qins.resolve("model.safetensors"));
        long floats = Files.size(Path.of(System.getProperty("qins.fixtures"), fixture, "model.safetensors"));
        System.out.printf("onnx size | %s | %,d | %,d | %.3f | %,d | %d nodes%n", fixture, report.fileBytes(), checkpoint,
                (double) report.fileBytes() / checkpoint, floats, report.nodes());
        // every stored byte of the checkpoint is an initializer as stored; the rest is the graph and its small
        // tables (one 256-entry decode table, the 256 x 8 sign table, rope frequencies, group indices): tens of KB
        assertThat(report.initializerBytes()).isGreaterThanOrEqualTo(report.checkpointBytes());
        assertThat(report.fileBytes()).isLessThan(checkpoint + 48 * 1024);

        try (CausalLm lm = engine.load(qins); OnnxRun ort = new OnnxRun(onnx, lm.config().layers(), lm.config().kvHeads(),
                lm.config().headDim())) {
            assertThat(lm.describeLinear()).startsWith("qins qins9");
            int vocab = lm.config().vocabSize();
            int[] prompt = prompt(promptLength, vocab);
            Sequence s = lm.newSequence(engine.kvCache(), promptLength + 16);
            float[] expected = s.prefillAll(prompt);
            float[][] actual = ort.run(prompt);
            double worst = 0;
            for (int p = 0; p < promptLength; p++) {
                worst = Math.max(worst, maxDiff(java.util.Arrays.copyOfRange(expected, p * vocab, (p + 1) * vocab), actual[p]));
            }
            List<Integer> engineTokens = new ArrayList<>();
            List<Integer> onnxTokens = new ArrayList<>();
            float[] e = java.util.Arrays.copyOfRange(expected, (promptLength - 1) * vocab, promptLength * vocab);
            float[] a = actual[promptLength - 1];
            for (int step = 0; step < 10; step++) {
                engineTokens.add(argmax(e));
                onnxTokens.add(argmax(a));
                e = s.step(argmax(e)).clone();
                a = ort.run(new int[] {argmax(a)})[0];
                worst = Math.max(worst, maxDiff(e, a));
            }
            System.out.printf("onnx | %s | prompt %d | max |logit diff| %.2e | tokens %s%n", fixture, promptLength, worst, engineTokens);
            assertThat(onnxTokens).isEqualTo(engineTokens);
            assertThat(worst).as("largest |logit difference| over the prefill and 10 steps").isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @org.junit.jupiter.api.Test
    void aFormatTheGraphCannotDecodeIsRefusedNamingTheWeight() {
        Path q8 = work.resolve("tiny-llama-q8_0");
        engine.convert(Path.of(System.getProperty("qins.fixtures"), "tiny-llama"), q8, ConversionOptions.of("gguf-q8_0", Map.of()),
                ConversionListener.NONE);
        Path out = work.resolve("refused.onnx");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OnnxExporter().export(q8, out))
                .hasMessageContaining(q8 + ": weight 'model.layers.0.self_attn.q_proj' is stored as gguf-q8_0; the ONNX export writes"
                        + " QINS layouts (qins9, qins8, qins8-seed) and float weights");
        assertThat(out).doesNotExist();
    }

    static int[] prompt(int n, int vocab) {
        Random r = new Random(n);
        int[] p = new int[n];
        p[0] = 1;
        for (int i = 1; i < n; i++) {
            p[i] = 3 + r.nextInt(vocab - 3);
        }
        return p;
    }

    static double maxDiff(float[] a, float[] b) {
        assertThat(b).hasSameSizeAs(a);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            best = a[i] > a[best] ? i : best;
        }
        return best;
    }
}
