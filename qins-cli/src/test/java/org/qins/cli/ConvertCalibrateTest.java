package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.convert.ModelConverter;
import org.qins.transformer.tokenizer.Tokenizer;

/** {@code qins convert --calibrate}: the pass's progress on stderr, calibrated weights, the checkpoint saying so (refusals: {@link BrokenInvocationsTest}). */
class ConvertCalibrateTest {

    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(rc).as(err.toString()).isZero();
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void generatedSamplesCalibrateTheBlockWeights() {
        Path plain = tmp.resolve("plain");
        Path calibrated = tmp.resolve("calibrated");
        run("convert", "--model", CompareCommandTest.LLAMA.toString(), "--output", plain.toString());
        String[] r = run("convert", "--model", CompareCommandTest.LLAMA.toString(), "--output", calibrated.toString(), "--calibrate",
                "--calibration-samples", "2", "--calibration-length", "16", "--calibration-seed", "5");
        assertThat(r[0]).contains("as qins9 (calibrated)").contains("21 linear weights encoded");
        assertThat(r[1]).contains("calibrate: running the float model over 2 sample(s), 32 tokens")
                .contains("calibrate: 2/2 samples, 32 tokens");
        try (Checkpoint p = Checkpoint.open(plain); Checkpoint c = Checkpoint.open(calibrated)) {
            assertThat(c.metadata()).containsEntry(ModelConverter.CALIBRATION_KEY,
                    "32 tokens: 2 samples x 16 tokens generated from BOS, seeds 5..6");
            assertThat(p.metadata()).doesNotContainKey(ModelConverter.CALIBRATION_KEY);
            String codes = "model.layers.1.mlp.down_proj.codes";
            assertThat(c.tensor(codes).shape()).isEqualTo(p.tensor(codes).shape());
            assertThat(c.tensor(codes).toByteArray()).isNotEqualTo(p.tensor(codes).toByteArray());
            // Embeddings and norms are copied as they are.
            assertThat(c.tensor("model.norm.weight").toByteArray()).isEqualTo(p.tensor("model.norm.weight").toByteArray());
        }
    }

    @Test
    void aTextIsTokenizedAndUsedWhole() throws Exception {
        String text = "The quick brown fox jumps over the lazy dog. It was a sunny day and the fox was happy.";
        Path file = Files.writeString(tmp.resolve("calibration.txt"), text);
        Path out = tmp.resolve("from-text");
        String[] r = run("convert", "--model", CompareCommandTest.LLAMA.toString(), "--output", out.toString(), "--calibrate",
                "--calibration-text", file.toString(), "--calibration-length", "8", "--format", "qins8");
        int tokens;
        try (Tokenizer tok = Tokenizer.load(CompareCommandTest.LLAMA)) {
            tokens = tok.encode(text).length;
        }
        assertThat(r[1]).contains("calibrate: running the float model over " + (tokens + 7) / 8 + " sample(s), " + tokens + " tokens");
        try (Checkpoint c = Checkpoint.open(out)) {
            assertThat(c.metadata()).containsEntry(ModelConverter.CALIBRATION_KEY,
                    tokens + " tokens: text calibration.txt in pieces of 8 tokens");
            assertThat(c.linear("model.layers.0.self_attn.q_proj").format()).isEqualTo("qins8");
        }
    }
}
