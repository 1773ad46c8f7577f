package org.qins.it.fidelity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.LinearLayerProvider;

/**
 * Issue 15: what calibration earns on the default layout. For each fixture: activation
 * statistics from the float model generating 8 x 128 tokens of its own from BOS, then the
 * uncalibrated fits (codec, {@code fit=max} and {@code fit=mse}), the activation-weighted scale fit
 * and GPTQ-style error compensation ({@link CalibratedEncoder}), scored like every other encoding
 * against the reference, next to Q8_0. Slow (about 2 minutes): run with {@code -Dqins.calibration=true};
 * writes {@code target/calibration.md}.
 */
@EnabledIfSystemProperty(named = "qins.calibration", matches = "true")
class CalibrationExperimentTest {

    record Row(String fixture, String method, SweepResult r, double encodeSeconds) {
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
            for (SweepConfig c : List.of(CodecFidelityTest.Q8_0, CodecFidelityTest.TODAY, CodecFidelityTest.DEFAULT)) {
                rows.add(timed(f, c.label(), () -> sweep.score(fixture, c, work)));
            }
            for (CalibratedEncoder.Method m : CalibratedEncoder.Method.values()) {
                LinearLayerProvider p = new CalibratedProvider(stats, m);
                rows.add(timed(f, m.id(), () -> sweep.score(fixture, p, Map.of(), work)));
            }
            encodeTimes(fixture, stats);
        }
        // How much text calibration needs: GPTQ on the trained model with 1, 8 (above) and 32 samples.
        Path stories = Path.of(System.getProperty("qins.fixtures"), "tiny-stories-1m");
        for (int samples : new int[] {1, 32}) {
            ActivationStats st = ActivationStats.collect(stories, samples, 128, 1000);
            LinearLayerProvider p = new CalibratedProvider(st, CalibratedEncoder.Method.GPTQ);
            Path dir = Files.createDirectories(work.resolve("samples-" + samples));
            rows.add(timed("tiny-stories-1m", "gptq, " + samples + " x 128 tokens", () -> sweep.score(stories, p, Map.of(), dir)));
        }
        StringBuilder s = new StringBuilder("Statistics: the float model's own text from BOS, 8 x 128 tokens unless said.\n\n");
        s.append("| fixture | encoding | rel. weight error | tf top-1 | top-10 | mean KL | KL / Q8_0 | convert+score s |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Row r : rows) {
            double q8 = rows.stream().filter(x -> x.fixture.equals(r.fixture) && x.method.equals("q8_0")).findFirst().orElseThrow().r().meanKl();
            s.append(String.format("| %s | %s | %.3f%% | %.4f | %.4f | %.3e | %.3f | %.1f |%n", r.fixture, r.method,
                    100 * r.r.relWeightError(), r.r.top1(), r.r.top10(), r.r.meanKl(), r.r.meanKl() / q8, r.encodeSeconds));
        }
        Path out = Path.of("target", "calibration.md");
        Files.writeString(out, s.toString());
        System.out.println(s);
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

    private static Row timed(String fixture, String method, java.util.function.Supplier<SweepResult> score) {
        long t0 = System.nanoTime();
        SweepResult r = score.get();
        return new Row(fixture, method, r, (System.nanoTime() - t0) / 1e9);
    }
}
