package org.qins.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.qins.transformer.calibrate.CalibrationListener;
import org.qins.transformer.calibrate.CalibrationPlan;
import org.qins.transformer.calibrate.CalibrationStatistics;
import org.qins.transformer.calibrate.Calibrator;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.convert.ConversionReport;
import org.qins.transformer.convert.ModelConverter;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.gguf.GgufFile;
import org.qins.transformer.model.ModelCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code qins convert}: a float Hugging Face checkpoint into a QINS (or other provider) checkpoint. */
@Command(name = "convert", description = "Convert a float checkpoint into an encoded one (a QINS format by default), tensor by tensor.")
final class ConvertCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Hugging Face model directory (F32/F16/BF16 safetensors), or a GGUF file (F32, F16, BF16, Q8_0).")
    Path model;

    @Option(names = "--output", required = true, description = "Directory to create; must not exist.")
    Path output;

    @Option(names = "--format", description = "Weight format of the block weights (qins9, qins8, qins8-seed, f32, ... see qins"
            + " providers). Default: the one the provider chosen by QINS_CODEC_AT_REST converts to (qins9).")
    String format;

    @Option(names = "--format-option", description = "Option KEY=VALUE of the format (group, policy, width, ... see qins providers).")
    Map<String, String> formatOptions = new LinkedHashMap<>();

    @Option(names = "--layout", description = "Shorthand for --format: qins9 | qins8 | qins8-seed.")
    String layout;

    @Option(names = "--group", description = "Shorthand for --format-option group=tensor|row|N (block of N inputs).")
    String group;

    @Option(names = "--policy", description = "Shorthand for --format-option policy=minmax|clipped|mse.")
    String policy;

    @Option(names = "--width", description = "Shorthand for --format-option width=OCTAVES (clipped policy).")
    String width;

    @Option(names = "--encode-head", description = "Also encode an untied lm_head (embeddings always stay float).")
    boolean encodeHead;

    @Option(names = "--shard-size", defaultValue = "5GB", description = "Most tensor bytes per output shard, as the Hub's"
            + " max_shard_size (a smaller output is one model.safetensors). Default: ${DEFAULT-VALUE}.")
    String shardSize;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--calibrate", description = "Encode with calibration (GPTQ-style error compensation on the log grid for qins9 and"
            + " qins8): the float model first runs over calibration text and each block weight is encoded to lower its layer's"
            + " output error over those inputs. Default text: " + CalibrationPlan.DEFAULT_SAMPLES + " samples of "
            + CalibrationPlan.DEFAULT_LENGTH + " tokens the model generates from BOS.")
    boolean calibrate;

    @Option(names = "--calibration-text", paramLabel = "FILE", description = "With --calibrate: UTF-8 text to calibrate on, tokenized by"
            + " the model's tokenizer and cut into pieces of --calibration-length tokens (all of it is used).")
    Path calibrationText;

    @Option(names = "--calibration-samples", paramLabel = "N", description = "With --calibrate: samples the model generates from BOS"
            + " (default " + CalibrationPlan.DEFAULT_SAMPLES + ").")
    Integer calibrationSamples;

    @Option(names = "--calibration-length", paramLabel = "L", description = "With --calibrate: tokens per sample or text piece (default "
            + CalibrationPlan.DEFAULT_LENGTH + ").")
    Integer calibrationLength;

    @Option(names = "--calibration-seed", paramLabel = "S", description = "With --calibrate: seed of the first generated sample"
            + " (default " + CalibrationPlan.DEFAULT_SEED + "; sample i uses S + i).")
    Long calibrationSeed;

    /** Upper bound of --calibration-samples: about a million tokens at the default length. */
    static final int MAX_CALIBRATION_SAMPLES = 8192;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Checks check = new Checks(spec);
        if (format != null && layout != null && !format.equals(layout)) {
            throw check.fail("--layout " + layout + " contradicts --format " + format);
        }
        long shardBytes = ByteSizes.parse("--shard-size", shardSize);
        ModelConfig config = check.model("--model", model);
        check.newDirectory("--output", output);
        CalibrationPlan plan = calibrationPlan(check, config);
        Map<String, String> opts = new LinkedHashMap<>(formatOptions);
        put(opts, "group", group);
        put(opts, "policy", policy);
        put(opts, "width", width);
        long start = System.nanoTime();
        ConversionReport r;
        String name;
        try (QinsEngine engine = threads.engine().build()) {
            name = format != null ? format : layout != null ? layout : engine.defaultFormat();
            ConversionOptions options = ConversionOptions.of(name, opts).withEncodeHead(encodeHead).withShardBytes(shardBytes);
            ModelConverter converter = engine.converter(options);
            Calibrator calibrator = new Calibrator(engine.providers().registry(), engine.parallel());
            if (plan != null) {
                try {
                    converter.requireCalibratable();
                    calibrator.check(model, plan);
                    CalibrationStatistics.requireFits(config, Runtime.getRuntime().maxMemory());
                } catch (IllegalArgumentException e) {
                    throw check.fail("--calibrate: " + e.getMessage());
                }
            }
            if (!GgufFile.isGguf(model)) { // a GGUF file is checked whole by its reader when it opens
                try (Checkpoint source = Checkpoint.open(model)) {
                    ModelCheck.requireConvertible(config, source); // before anything is written
                }
            }
            if (plan != null) {
                CalibrationStatistics stats = calibrator.collect(model, plan, new CalibrationProgress(spec.commandLine().getErr()));
                converter = engine.converter(options.withCalibration(stats));
            }
            try (Progress progress = new Progress(System.console() != null, out)) {
                r = converter.convert(model, output, progress);
            }
            requireLoadable(engine);
        }
        double s = (System.nanoTime() - start) / 1e9;
        out.printf("Converted %s -> %s as %s%s in %.1f s%n", model, output, name, plan == null ? "" : " (calibrated)", s);
        out.printf("  %d linear weights encoded: %,d parameters in %,d bytes (%.4f bytes/parameter)%n", r.encodedTensors(),
                r.encodedParams(), r.encodedBytes(), r.bytesPerEncodedParam());
        out.printf("  %d tensors kept in float; tensor data %,d -> %,d bytes (%.1f%%)%n", r.copiedTensors(), r.sourceBytes(),
                r.outputBytes(), 100.0 * r.outputBytes() / Math.max(1, r.sourceBytes()));
        out.flush();
        return 0;
    }

    /** The calibration the options ask for (null: none), every value checked here, before anything runs. */
    private CalibrationPlan calibrationPlan(Checks check, ModelConfig config) {
        if (!calibrate) {
            for (Object[] given : new Object[][] {{"--calibration-text", calibrationText}, {"--calibration-samples", calibrationSamples},
                    {"--calibration-length", calibrationLength}, {"--calibration-seed", calibrationSeed}}) {
                if (given[1] != null) {
                    throw check.fail(given[0] + " applies with --calibrate only");
                }
            }
            return null;
        }
        if (encodeHead) {
            throw check.fail("--encode-head cannot be combined with --calibrate (calibration covers the block linears only)");
        }
        int context = config.maxPositionEmbeddings();
        int length = calibrationLength != null ? calibrationLength : CalibrationPlan.DEFAULT_LENGTH;
        String why = "max_position_embeddings in " + model.resolve("config.json");
        if (calibrationText != null) {
            for (Object[] given : new Object[][] {{"--calibration-samples", calibrationSamples}, {"--calibration-seed", calibrationSeed}}) {
                if (given[1] != null) {
                    throw check.fail(given[0] + " applies to generated samples, not to --calibration-text (its length decides)");
                }
            }
            check.inputFile("--calibration-text", calibrationText);
            check.within("--calibration-length", length, 1, context, why);
            return CalibrationPlan.fromText(calibrationText, length);
        }
        int samples = calibrationSamples != null ? calibrationSamples : CalibrationPlan.DEFAULT_SAMPLES;
        check.within("--calibration-samples", samples, 1, MAX_CALIBRATION_SAMPLES, null);
        check.within("--calibration-length", length, 1, context - 1, "BOS + L tokens within " + why);
        return CalibrationPlan.generated(samples, length, calibrationSeed != null ? calibrationSeed : CalibrationPlan.DEFAULT_SEED);
    }

    /** The calibration pass's progress on stderr: a line per sample, at most about 10 lines. */
    private static final class CalibrationProgress implements CalibrationListener {
        private final PrintWriter err;
        private final long start = System.nanoTime();
        private int samples;
        private int every;

        CalibrationProgress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void started(int samples, long tokens) {
            this.samples = samples;
            this.every = Math.max(1, samples / 10);
            err.printf("calibrate: running the float model over %d sample(s), %,d tokens%n", samples, tokens);
            err.flush();
        }

        @Override
        public void sampleDone(int sample, long tokensSoFar) {
            if ((sample + 1) % every == 0 || sample + 1 == samples) {
                err.printf("calibrate: %d/%d samples, %,d tokens, %.1f s%n", sample + 1, samples, tokensSoFar,
                        (System.nanoTime() - start) / 1e9);
                err.flush();
            }
        }
    }

    /** The written model's config and tensor list as the engine will read them; a model that would not load is removed. */
    private void requireLoadable(QinsEngine engine) {
        try (Checkpoint written = Checkpoint.open(output)) {
            ModelCheck.requireLoadable(ConfigLoader.load(output), written, engine.providers().registry().formats()::has);
        } catch (RuntimeException e) {
            deleteTree(output);
            throw new IllegalStateException("the converted model would not load, so " + output + " was removed (a bug in qins "
                    + "convert; please report it): " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // reported with the check's own error; the user sees the path
        }
    }

    private void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            String previous = m.put(k, v);
            if (previous != null && !previous.equals(v)) {
                throw new ParameterException(spec.commandLine(), "--" + k + " " + v + " contradicts --format-option " + k + "="
                        + previous);
            }
        }
    }

    /** A progress bar on a terminal, a line every 10 % otherwise (logs, CI). */
    private static final class Progress implements ConversionListener, AutoCloseable {
        private final boolean terminal;
        private final PrintWriter out;
        private ProgressBar bar;
        private long total;
        private long done;
        private int lastDecile = -1;

        Progress(boolean terminal, PrintWriter out) {
            this.terminal = terminal;
            this.out = out;
        }

        @Override
        public void started(int tensors, long sourceBytes) {
            total = Math.max(1, sourceBytes);
            if (terminal) {
                bar = new ProgressBarBuilder().setTaskName("convert").setInitialMax(total / (1 << 20) + 1)
                        .setUnit(" MiB", 1).setStyle(ProgressBarStyle.ASCII).build();
            }
        }

        @Override
        public void tensorDone(String name, long sourceBytes, boolean encoded) {
            done += sourceBytes;
            if (bar != null) {
                bar.stepTo(done / (1 << 20));
                bar.setExtraMessage(name);
            } else {
                int decile = (int) (10 * done / total);
                if (decile != lastDecile) {
                    lastDecile = decile;
                    out.printf("convert: %3d%% (%s)%n", decile * 10, name);
                    out.flush();
                }
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
