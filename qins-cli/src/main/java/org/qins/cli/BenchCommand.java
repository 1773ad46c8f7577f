package org.qins.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.qins.tools.bench.BenchResult;
import org.qins.tools.bench.Benchmark;
import org.qins.tools.bench.ProcessMemory;
import org.qins.tools.report.TextTable;
import picocli.CommandLine.Command;
import org.qins.transformer.QinsEngine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins bench}: prefill/decode speed and memory of one or more linear providers, side by side. */
@Command(name = "bench", description = {"Benchmark a model on pseudo-random token ids: prefill and decode tokens/s, time to "
        + "first token, weight bytes, KV bytes per token, heap and RSS.",
    "Several --linear values run one after the other in this process (each model closed before the next) and print side by "
        + "side with ratios against the first; each of them first runs once untimed, so that none is timed on code that only "
        + "the configurations before it made the JIT compile."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Hugging Face model directory (see qins synth for a generated one), or a GGUF file.")
    Path model;

    @Option(names = "--linear", description = "Linear provider(s); repeat to compare (default: chosen by QINS_CODEC_AT_REST).")
    List<String> linear;

    @Option(names = "--layer-option", description = "Option KEY=VALUE of every --linear provider, e.g. decoded-cache=true (Pattern A keeps a whole decoded float copy, counted in the weight bytes); each provider checks it.")
    Map<String, String> layerOptions = new java.util.LinkedHashMap<>();

    @Option(names = "--kv", description = "KV cache provider (fp32, qins). Default: highest priority.")
    String kv;

    @Mixin
    NoMmapOption noMmap;

    @Option(names = "--prompt-tokens", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(names = "--new-tokens", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int newTokens;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed rounds first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--json", description = "Write one entry per configuration to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> configs = linear == null || linear.isEmpty() ? java.util.Collections.singletonList(null) : linear;
        List<BenchResult> results = new ArrayList<>();
        long rssBefore = ProcessMemory.rssBytes();
        int n;
        try (QinsEngine engine = noMmap.apply(threads.engine().kv(kv)).build()) {
            n = engine.threads();
            if (configs.size() > 1) {
                // Configurations share the JIT: the first one timed would pay for compiling what all of them run (attention,
                // norms, sampling), the later ones would not. Tiny fixture, one thread, --warmup 30, 480 tokens: Pattern A
                // decoded at 3785 tokens/s timed first, 6982 and 8043 alone in its own process (fp32: 9246 second, 6449 and
                // 6811 alone). So every configuration runs once, untimed, before any is timed.
                for (String l : configs) {
                    err.printf("bench: untimed first run of %s%n", l == null ? "default" : l);
                    err.flush();
                    new Benchmark(engine).run(model, l, layerOptions, kv, promptTokens, newTokens, warmup);
                }
            }
            for (String l : configs) {
                results.add(new Benchmark(engine).run(model, l, layerOptions, kv, promptTokens, newTokens, warmup));
            }
        }
        out.printf("bench %s: %d prompt tokens, %d new tokens, %d threads, %d warm-up rounds%s; RSS before loading %.1f MB%n%n", model,
                promptTokens, newTokens, n, warmup, configs.size() > 1 ? " (every configuration also ran once untimed first)" : "",
                rssBefore / 1e6);
        print(results, out);
        if (results.size() > 1) {
            out.println();
            out.println("Models are closed between configurations; their mapped checkpoint pages are unmapped but the JVM keeps");
            out.println("heap it grew, so a later configuration's RSS can include some of an earlier one's.");
        }
        if (json != null) {
            Json.write(results.stream().map(BenchResult::toJson).toList(), json);
            out.printf("wrote %s%n", json);
        }
        out.flush();
        return 0;
    }

    static void print(List<BenchResult> rs, PrintWriter out) {
        List<String[]> lines = new ArrayList<>();
        lines.add(row("", rs, r -> r.linear() + " / kv " + r.kv(), null));
        lines.add(row("layers", rs, BenchResult::linearDescription, null));
        lines.add(row("prefill tokens/s", rs, r -> f("%.1f", r.prefillTokensPerSecond()), BenchResult::prefillTokensPerSecond));
        lines.add(row("decode tokens/s", rs, r -> f("%.1f", r.decodeTokensPerSecond()), BenchResult::decodeTokensPerSecond));
        lines.add(row("time to first token", rs, r -> f("%.1f ms", 1e3 * r.timeToFirstTokenSeconds()),
                BenchResult::timeToFirstTokenSeconds));
        lines.add(row("weight bytes", rs, r -> f("%,d", r.weightBytes()), r -> (double) r.weightBytes()));
        lines.add(row("weight bytes / param", rs, r -> f("%.3f", r.weightBytesPerParam()), BenchResult::weightBytesPerParam));
        lines.add(row("linear bytes / linear param", rs, r -> f("%.3f", r.linearBytesPerParam()), BenchResult::linearBytesPerParam));
        lines.add(row("KV bytes / token", rs, r -> f("%,d", r.kvBytesPerToken()), r -> (double) r.kvBytesPerToken()));
        lines.add(row("JVM heap used", rs, r -> f("%.1f MB", r.heapUsedBytes() / 1e6), r -> (double) r.heapUsedBytes()));
        lines.add(row("process RSS", rs, r -> r.rssBytes() < 0 ? "n/a" : f("%.1f MB", r.rssBytes() / 1e6), r -> (double) r.rssBytes()));
        lines.add(row("load time", rs, r -> f("%.2f s", r.loadSeconds()), BenchResult::loadSeconds));
        out.print(TextTable.render(lines));
    }

    private static String[] row(String name, List<BenchResult> rs, Function<BenchResult, String> text, Function<BenchResult, Double> value) {
        String[] l = new String[rs.size() + 1];
        l[0] = name;
        for (int i = 0; i < rs.size(); i++) {
            String s = text.apply(rs.get(i));
            if (value != null && i > 0) {
                double base = value.apply(rs.get(0));
                double v = value.apply(rs.get(i));
                if (base > 0 && v >= 0) {
                    s += f(" (x%.2f)", v / base);
                }
            }
            l[i + 1] = s;
        }
        return l;
    }

    private static String f(String fmt, Object v) {
        return String.format(Locale.ROOT, fmt, v);
    }
}
