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
        Map<String, String> opts = new LinkedHashMap<>(formatOptions);
        put(opts, "group", group);
        put(opts, "policy", policy);
        put(opts, "width", width);
        long start = System.nanoTime();
        ConversionReport r;
        String name;
        try (QinsEngine engine = threads.engine().build()) {
            name = format != null ? format : layout != null ? layout : engine.defaultFormat();
            ModelConverter converter = engine.converter(ConversionOptions.of(name, opts).withEncodeHead(encodeHead)
                    .withShardBytes(shardBytes));
            if (!GgufFile.isGguf(model)) { // a GGUF file is checked whole by its reader when it opens
                try (Checkpoint source = Checkpoint.open(model)) {
                    ModelCheck.requireConvertible(config, source); // before anything is written
                }
            }
            try (Progress progress = new Progress(System.console() != null, out)) {
                r = converter.convert(model, output, progress);
            }
            requireLoadable(engine);
        }
        double s = (System.nanoTime() - start) / 1e9;
        out.printf("Converted %s -> %s as %s in %.1f s%n", model, output, name, s);
        out.printf("  %d linear weights encoded: %,d parameters in %,d bytes (%.4f bytes/parameter)%n", r.encodedTensors(),
                r.encodedParams(), r.encodedBytes(), r.bytesPerEncodedParam());
        out.printf("  %d tensors kept in float; tensor data %,d -> %,d bytes (%.1f%%)%n", r.copiedTensors(), r.sourceBytes(),
                r.outputBytes(), 100.0 * r.outputBytes() / Math.max(1, r.sourceBytes()));
        out.flush();
        return 0;
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
