package org.qins.it.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.Parallel;
import org.qins.api.WeightFormat;
import org.qins.codec.GptqEncoder;
import org.qins.codec.QinsCodec;
import org.qins.codec.QinsFormat;
import org.qins.transformer.calibrate.CalibrationListener;
import org.qins.transformer.calibrate.CalibrationPlan;
import org.qins.transformer.calibrate.CalibrationStatistics;
import org.qins.transformer.calibrate.Calibrator;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;

/**
 * Issue 15: what calibration earns on the default layout, with the product code ({@code qins convert
 * --calibrate}: {@link Calibrator}, the qins9 format's GPTQ encoding). For each fixture: statistics
 * from the float model generating 8 x 128 tokens of its own from BOS, then the uncalibrated fits
 * ({@code fit=max}, {@code fit=mse}) and the calibrated encoding, scored like every other encoding
 * against the reference and against a second test set of the model's own text, next to Q8_0; on
 * tiny-stories-1m also with 1 and 32 samples. Slow (minutes): run with {@code -Dqins.calibration=true};
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
    void calibratedEncodingAgainstTheUncalibratedFitAndQ8_0(@TempDir Path work) throws IOException {
        FidelitySweep sweep = new FidelitySweep();
        Calibrator calibrator = new Calibrator(sweep.registry(), Parallel.SEQUENTIAL);
        List<Row> rows = new ArrayList<>();
        for (String f : CodecFidelityTest.FIXTURES) {
            Path fixture = Path.of(System.getProperty("qins.fixtures"), f);
            long t0 = System.nanoTime();
            CalibrationStatistics stats = calibrator.collect(fixture, CalibrationPlan.defaults(), CalibrationListener.NONE);
            System.out.printf("%s: statistics over %d tokens in %.1f s%n", f, stats.tokens(), (System.nanoTime() - t0) / 1e9);
            LlmRef hf = ReferenceFile.read(fixture.resolve("reference.json"));
            LlmRef own = sweep.ownText(fixture, OWN_PROMPTS, OWN_PROMPT_LENGTH, OWN_STEPS, 5000);
            for (SweepConfig c : List.of(CodecFidelityTest.Q8_0, CodecFidelityTest.TODAY, CodecFidelityTest.DEFAULT)) {
                WeightFormat p = sweep.registry().formats().forName(c.format());
                rows.add(scored(f, c.label(), sweep.convert(fixture, p, c.options(), work), hf, own));
            }
            rows.add(scored(f, "gptq", calibrated(sweep, fixture, stats, work), hf, own));
            encodeTimes(fixture, stats);
        }
        // How much text calibration needs: the trained model with 1, 8 (above) and 32 samples.
        Path stories = Path.of(System.getProperty("qins.fixtures"), "tiny-stories-1m");
        LlmRef hf = ReferenceFile.read(stories.resolve("reference.json"));
        LlmRef own = sweep.ownText(stories, OWN_PROMPTS, OWN_PROMPT_LENGTH, OWN_STEPS, 5000);
        for (int samples : new int[] {1, 32}) {
            CalibrationStatistics st = calibrator.collect(stories, CalibrationPlan.generated(samples, 128, 1000), CalibrationListener.NONE);
            Path dir = Files.createDirectories(work.resolve("samples-" + samples));
            rows.add(scored("tiny-stories-1m", "gptq, " + samples + " x 128 tokens", calibrated(sweep, stories, st, dir), hf, own));
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
        String plain = CodecFidelityTest.DEFAULT.label();
        for (String f : CodecFidelityTest.FIXTURES) {
            assertThat(kl(rows, f, "gptq")).as("GPTQ against no calibration, on %s", f).isLessThan(1.05 * kl(rows, f, plain));
            assertThat(kl(rows, f, "gptq")).as("GPTQ against Q8_0, on %s", f).isLessThan(kl(rows, f, "q8_0"));
        }
        assertThat(kl(rows, "tiny-stories-1m", "gptq")).as("GPTQ on the trained model").isLessThan(0.5 * kl(rows, "tiny-stories-1m", plain));
    }

    private static FidelitySweep.Converted calibrated(FidelitySweep sweep, Path fixture, CalibrationStatistics stats, Path work) {
        WeightFormat qins9 = sweep.registry().formats().forName("qins9");
        return sweep.convert(fixture, qins9, ConversionOptions.of("qins9", Map.of()).withCalibration(stats), work);
    }

    private static double kl(List<Row> rows, String fixture, String method) {
        return rows.stream().filter(r -> r.fixture.equals(fixture) && r.method.equals(method)).findFirst().orElseThrow().r.meanKl();
    }

    /** Encode time of every block weight of the fixture, uncalibrated and calibrated (best of 5 rounds, after one warm-up round). */
    private static void encodeTimes(Path fixture, CalibrationStatistics stats) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, int[]> shapes = new java.util.HashMap<>();
        try (Checkpoint ckpt = Checkpoint.open(fixture)) {
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
        Map<String, java.util.function.BiConsumer<String, float[]>> encoders = new LinkedHashMap<>();
        encoders.put("fit=mse", (n, w) -> QinsCodec.encode(n, w, shapes.get(n)[0], shapes.get(n)[1], QinsFormat.DEFAULTS));
        encoders.put("gptq", (n, w) -> GptqEncoder.encode(n, w, shapes.get(n)[0], shapes.get(n)[1], QinsFormat.DEFAULTS,
                stats.of(n).gram()));
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
