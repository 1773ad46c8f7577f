package org.qins.it.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.WeightFormat;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;

/**
 * Issue 15: what calibration earns on the default layout. For each fixture: activation
 * statistics from the float model generating 8 x 128 tokens of its own from BOS, then the
 * uncalibrated fits (codec, {@code fit=max} and {@code fit=mse}), the activation-weighted scale fit
 * and GPTQ-style error compensation ({@link CalibratedEncoder}), scored like every other encoding
 * against the reference, next to Q8_0. Slow (about 3 minutes): run with {@code -Dqins.calibration=true};
 * writes {@code target/calibration.md}.
 */
@EnabledIfSystemProperty(named = "qins.calibration", matches = "true")
class CalibrationExperimentTest {

    static final int OWN_PROMPTS = 16;
    static final int OWN_PROMPT_LENGTH = 112;
    static final int OWN_STEPS = 16;

    /** {@code own}: the same encoding scored on the float model's own text (see {@link FidelitySweep#ownText}). */
    record Row(String fixture, String method, SweepResult r, SweepResult own) {
    }

    @Test
    void calibratedEncodingsAgainstTheUncalibratedFitAndQ8_0(@TempDir Path work) throws IOException {
        FidelitySweep sweep = new FidelitySweep();
        List<Row> rows = new ArrayList<>();
        for (String f : CodecFidelityTest.FIXTURES) {
            Path fixture = Path.of(System.getProperty("qins.fixtures"), f);
            long t0 = System.nanoTime();
            ActivationStats stats = ActivationStats.collect(fixture, 8, 128, 1000);
            double statSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s: statistics over %d tokens in %.1f s%n", f, stats.tokens(), statSeconds);
            LlmRef hf = ReferenceFile.read(fixture.resolve("reference.json"));
            LlmRef own = sweep.ownText(fixture, OWN_PROMPTS, OWN_PROMPT_LENGTH, OWN_STEPS, 5000);
            for (SweepConfig c : List.of(CodecFidelityTest.Q8_0, CodecFidelityTest.TODAY, CodecFidelityTest.DEFAULT)) {
                WeightFormat p = sweep.registry().formats().forName(c.format());
                rows.add(scored(f, c.label(), sweep.convert(fixture, p, c.options(), work), hf, own));
            }
            for (CalibratedEncoder.Method m : CalibratedEncoder.Method.values()) {
                WeightFormat p = new CalibratedFormat(stats, m);
                rows.add(scored(f, m.id(), sweep.convert(fixture, p, Map.of(), work), hf, own));
            }
            encodeTimes(fixture, stats);
        }
        // How much text calibration needs: GPTQ on the trained model with 1, 8 (above) and 32 samples.
        Path stories = Path.of(System.getProperty("qins.fixtures"), "tiny-stories-1m");
        LlmRef hf = ReferenceFile.read(stories.resolve("reference.json"));
        LlmRef own = sweep.ownText(stories, OWN_PROMPTS, OWN_PROMPT_LENGTH, OWN_STEPS, 5000);
        for (int samples : new int[] {1, 32}) {
            ActivationStats st = ActivationStats.collect(stories, samples, 128, 1000);
            WeightFormat p = new CalibratedFormat(st, CalibratedEncoder.Method.GPTQ);
            Path dir = Files.createDirectories(work.resolve("samples-" + samples));
            rows.add(scored("tiny-stories-1m", "gptq, " + samples + " x 128 tokens", sweep.convert(stories, p, Map.of(), dir), hf, own));
        }
        StringBuilder s = new StringBuilder("Statistics: the float model's own text from BOS, 8 x 128 tokens unless said. ")
                .append("Own text: ").append(OWN_PROMPTS).append(" other samples of ").append(OWN_PROMPT_LENGTH)
                .append(" tokens + ").append(OWN_STEPS).append(" greedy steps, against fp32.\n\n");
        s.append("| fixture | encoding | rel. weight error | tf top-1 | top-10 | mean KL | KL / Q8_0 | own text: tf top-1 | mean KL | KL / Q8_0 |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Row r : rows) {
            Row q8 = rows.stream().filter(x -> x.fixture.equals(r.fixture) && x.method.equals("q8_0")).findFirst().orElseThrow();
            s.append(String.format("| %s | %s | %.3f%% | %.4f | %.4f | %.3e | %.3f | %.4f | %.3e | %.3f |%n", r.fixture, r.method,
                    100 * r.r.relWeightError(), r.r.top1(), r.r.top10(), r.r.meanKl(), r.r.meanKl() / q8.r.meanKl(),
                    r.own.top1(), r.own.meanKl(), r.own.meanKl() / q8.own.meanKl()));
        }
        Path out = Path.of("target", "calibration.md");
        Files.writeString(out, s.toString());
        System.out.println(s);

        // What the README concludes from this table.
        for (String f : CodecFidelityTest.FIXTURES) {
            assertThat(kl(rows, f, "plain")).as("plain is the codec's default, on %s", f).isEqualTo(kl(rows, f, CodecFidelityTest.DEFAULT.label()));
            assertThat(kl(rows, f, "gptq")).as("GPTQ against no calibration, on %s", f).isLessThan(1.05 * kl(rows, f, "plain"));
        }
        assertThat(kl(rows, "tiny-stories-1m", "gptq")).as("GPTQ on the trained model").isLessThan(0.5 * kl(rows, "tiny-stories-1m", "plain"));
    }

    private static double kl(List<Row> rows, String fixture, String method) {
        return rows.stream().filter(r -> r.fixture.equals(fixture) && r.method.equals(method)).findFirst().orElseThrow().r.meanKl();
    }

    /** Encode time of every block weight of the fixture per method (best of 5 rounds, after one warm-up round). */
    private static void encodeTimes(Path fixture, ActivationStats stats) {
        Map<String, float[]> weights = new java.util.LinkedHashMap<>();
        Map<String, int[]> shapes = new java.util.HashMap<>();
        try (org.qins.transformer.checkpoint.Checkpoint ckpt = org.qins.transformer.checkpoint.Checkpoint.open(fixture)) {
            for (String name : ckpt.tensorNames()) {
                org.qins.api.TensorView t = ckpt.tensor(name);
                if (name.startsWith("model.layers.") && name.endsWith(".weight") && t.rank() == 2) {
                    String base = name.substring(0, name.length() - ".weight".length());
                    weights.put(base, t.toFloatArray());
                    shapes.put(base, new int[] {(int) t.dim(0), (int) t.dim(1)});
                }
            }
        }
        StringBuilder line = new StringBuilder(fixture.getFileName() + ": encode time of the block weights (ms):");
        Map<String, java.util.function.BiConsumer<String, float[]>> encoders = new java.util.LinkedHashMap<>();
        encoders.put("fit=max", (n, w) -> org.qins.codec.QinsCodec.encode(n, w, shapes.get(n)[0], shapes.get(n)[1],
                org.qins.codec.QinsFormat.DEFAULTS.withFit(org.qins.codec.ScaleFit.MAX)));
        encoders.put("fit=mse", (n, w) -> org.qins.codec.QinsCodec.encode(n, w, shapes.get(n)[0], shapes.get(n)[1],
                org.qins.codec.QinsFormat.DEFAULTS));
        for (CalibratedEncoder.Method m : CalibratedEncoder.Method.values()) {
            encoders.put(m.id(), (n, w) -> CalibratedEncoder.encode(n, w, shapes.get(n)[0], shapes.get(n)[1],
                    stats.of(n, shapes.get(n)[1]), m));
        }
        encoders.forEach((label, enc) -> {
            double best = Double.POSITIVE_INFINITY;
            for (int round = 0; round < 6; round++) {
                long t0 = System.nanoTime();
                weights.forEach(enc::accept);
                double ms = (System.nanoTime() - t0) / 1e6;
                if (round > 0) {
                    best = Math.min(best, ms);
                }
            }
            line.append(String.format(" %s %.1f", label, best));
        });
        System.out.println(line);
    }

    private static Row scored(String fixture, String method, FidelitySweep.Converted c, LlmRef hf, LlmRef own) {
        return new Row(fixture, method, c.score(hf), c.score(own));
    }
}
