package org.qins.it.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.InputStatistics;
import org.qins.api.Parallel;
import org.qins.transformer.calibrate.CalibrationListener;
import org.qins.transformer.calibrate.CalibrationPlan;
import org.qins.transformer.calibrate.CalibrationStatistics;
import org.qins.transformer.calibrate.Calibrator;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.tokenizer.Tokenizer;

/** The calibration pass: what it sums, which layers share it, what it refuses. */
class CalibratorTest {

    static final Path LLAMA = Path.of(System.getProperty("qins.fixtures"), "tiny-llama");
    static final String TEXT = "Once upon a time there was a little girl who liked to read. She read every day, and every night she"
            + " told her cat the stories she had read.";

    @TempDir
    Path tmp;

    /**
     * Layer 0's attention input is the input norm of each token's embedding, whatever its position: its H
     * is known without running the model, and the pass must have summed exactly that over the text's tokens.
     */
    @Test
    void theFirstAttentionInputsSecondMomentsAreThoseOfTheNormedEmbeddingsOfTheText() throws Exception {
        Path text = Files.writeString(tmp.resolve("calibration.txt"), TEXT);
        CalibrationStatistics stats = new Calibrator(ProviderRegistry.discover(), Parallel.SEQUENTIAL).collect(LLAMA,
                CalibrationPlan.fromText(text, 7), CalibrationListener.NONE);
        int[] ids;
        try (Tokenizer tok = Tokenizer.load(LLAMA)) {
            ids = tok.encode(TEXT);
        }
        assertThat(stats.tokens()).isEqualTo(ids.length);
        ModelConfig c = ConfigLoader.load(LLAMA);
        int n = c.hiddenSize();
        double[] expected = new double[n * n];
        try (Checkpoint ckpt = Checkpoint.open(LLAMA)) {
            float[] embed = ckpt.tensor("model.embed_tokens.weight").toFloatArray();
            float[] g = ckpt.tensor("model.layers.0.input_layernorm.weight").toFloatArray();
            for (int id : ids) {
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    ss += (double) embed[id * n + i] * embed[id * n + i];
                }
                double inv = 1 / Math.sqrt(ss / n + c.rmsNormEps());
                double[] x = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = embed[id * n + i] * inv * g[i];
                }
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        expected[i * n + j] += x[i] * x[j];
                    }
                }
            }
        }
        InputStatistics q = stats.of("model.layers.0.self_attn.q_proj");
        assertThat(q.inFeatures()).isEqualTo(n);
        assertThat(q.samples()).isEqualTo(ids.length);
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int k = 0; k < n * n; k++) {
            assertThat(q.gram()[k]).as("H[%d][%d]", k / n, k % n).isCloseTo(expected[k], org.assertj.core.data.Offset.offset(1e-5 * scale));
        }
        // One H per distinct input: q, k, v share one, gate and up another.
        assertThat(stats.of("model.layers.0.self_attn.k_proj")).isSameAs(q);
        assertThat(stats.of("model.layers.0.self_attn.v_proj")).isSameAs(q);
        assertThat(stats.of("model.layers.2.mlp.up_proj")).isSameAs(stats.of("model.layers.2.mlp.gate_proj"));
        assertThat(stats.of("model.layers.2.mlp.gate_proj")).isNotSameAs(stats.of("model.layers.2.self_attn.q_proj"));
        assertThat(stats.of("model.layers.2.mlp.down_proj").inFeatures()).isEqualTo(c.intermediateSize());
        assertThat(stats.of("model.layers.2.self_attn.o_proj").inFeatures()).isEqualTo(c.qDim());
        assertThat(stats.inputs()).hasSize(7 * c.layers());
        assertThat(CalibrationStatistics.bytesNeeded(c)).isEqualTo(8L * c.layers() * (2L * n * n + (long) c.qDim() * c.qDim()
                + (long) c.intermediateSize() * c.intermediateSize()));
    }

    @Test
    void generatedSamplesAreLengthTokensEach() {
        CalibrationStatistics stats = new Calibrator(ProviderRegistry.discover(), Parallel.SEQUENTIAL).collect(LLAMA,
                CalibrationPlan.generated(3, 5, 7), CalibrationListener.NONE);
        assertThat(stats.tokens()).isEqualTo(15);
        assertThat(stats.describe()).isEqualTo("3 samples x 5 tokens generated from BOS, seeds 7..9");
    }

    @Test
    void aModelTooLargeForTheHeapIsRefusedWithTheNumbers() {
        ModelConfig c = ConfigLoader.load(LLAMA);
        CalibrationStatistics.requireFits(c, 64L << 20);
        assertThatThrownBy(() -> CalibrationStatistics.requireFits(c, 1L << 20))
                .hasMessageContaining("calibration needs 2.6 MiB: 2.1 MiB of statistics (8 x in^2 bytes for each of the 4 distinct"
                        + " inputs of each of 3 layers: in = 96, 96, 96, 256) and 0.5 MiB for the encoder's factor, more than 3/4 of"
                        + " the 1.0 MiB this JVM may use");
    }

    @Test
    void aTextWithoutATokenizerOrWithoutTextIsRefused() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "  \n");
        Calibrator calibrator = new Calibrator(ProviderRegistry.discover(), Parallel.SEQUENTIAL);
        assertThatThrownBy(() -> calibrator.collect(LLAMA, CalibrationPlan.fromText(empty, 16), CalibrationListener.NONE))
                .hasMessage(empty + ": no text to calibrate on");
        assertThatThrownBy(() -> calibrator.collect(LLAMA, CalibrationPlan.fromText(empty, 100_000), CalibrationListener.NONE))
                .hasMessageContaining("calibration pieces of 100000 tokens exceed the model's context of 512");
    }
}
