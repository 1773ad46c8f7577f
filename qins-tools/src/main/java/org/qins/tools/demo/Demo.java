package org.qins.tools.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qins.api.DType;
import org.qins.api.KvCacheProvider;
import org.qins.api.OptionSpec;
import org.qins.api.WeightFormat;
import org.qins.tools.bench.BenchResult;
import org.qins.tools.bench.Benchmark;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.tools.validate.RunRecorder;
import org.qins.tools.validate.StandardPrompts;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.model.CausalLm;
import org.qins.tools.report.TextTable;
import org.qins.tools.synth.ModelShape;
import org.qins.tools.synth.RandomModelWriter;
import org.qins.tools.validate.CompareMetrics;
import org.qins.tools.validate.Comparison;
import org.qins.tools.validate.Follower;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.PromptMetrics;

/**
 * The demo: writes a deterministic random Llama ({@link ModelShape#DEMO}, fixed seed) into a
 * cache directory and converts it with the {@code qins} provider's default options (both reused
 * when present; both written to a temporary name and renamed), then scores Pattern A ({@code qins}
 * over the converted checkpoint) and legacy ({@code qins-legacy} over the same) against the float
 * model ({@code fp32} over the float checkpoint) on the three standard prompts, and measures
 * weight memory and decode speed of all three.
 */
public final class Demo {

    public static final long SEED = 42;
    public static final int STEPS = 32;

    /** One configuration's numbers; {@code metrics} is null for the float reference itself. */
    public record Row(String label, String linear, Path model, CompareMetrics metrics, BenchResult bench) {
    }

    public record Result(Path floatModel, Path qinsModel, boolean wroteFloat, boolean wroteQins, ModelShape shape, List<Row> rows) {
    }

    /** Pattern A's provider and the legacy one, compared against the float reference. */
    static final String PATTERN_A = "qins";
    static final String LEGACY = "qins-legacy";
    static final String FLOAT = "fp32";

    private final QinsEngine engine;

    /** Runs on {@code engine}'s providers and worker pool. */
    public Demo(QinsEngine engine) {
        this.engine = engine;
    }

    /** {@code $QINS_CACHE}, else {@code ~/.cache/qins}. */
    public static Path defaultCacheRoot() {
        String env = System.getenv("QINS_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "qins");
    }

    /**
     * The converted model's name in the cache: the format and a digest of its options' defaults (e.g. {@code
     * qins9-3f2a9c1e}), so that a release whose default changed (as the scale fit did, from max to mse) converts anew
     * instead of scoring a conversion made under the old default.
     */
    static String conversionKey(WeightFormat format) {
        StringBuilder what = new StringBuilder(format.name());
        format.options().stream().sorted(Comparator.comparing(OptionSpec::name))
                .forEach(o -> what.append(';').append(o.name()).append('=').append(o.defaultValue()));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(what.toString().getBytes(StandardCharsets.UTF_8));
            return format.name() + "-" + HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    public Result run(Path cacheRoot, ModelShape shape) throws IOException {
        Path floatDir = cacheRoot.resolve("demo-" + shape.key() + "-s" + SEED);
        String format = engine.providers().registry().linear(PATTERN_A).preferredFormat();
        Path qinsDir = cacheRoot.resolve("demo-" + shape.key() + "-s" + SEED + "-" + conversionKey(
                engine.providers().registry().formats().forName(format)));
        boolean wroteFloat = new RandomModelWriter(shape, SEED, DType.F32).writeIfAbsent(floatDir);
        boolean wroteQins = false;
        if (!Files.isRegularFile(qinsDir.resolve(Checkpoint.SINGLE_FILE))) {
            if (Files.exists(qinsDir)) {
                throw new IOException(qinsDir + " exists but holds no complete model; remove it");
            }
            engine.convert(floatDir, qinsDir, ConversionOptions.of(format, Map.of()), ConversionListener.NONE);
            wroteQins = true;
        }
        KvCacheProvider kv = engine.providers().selectKv(FLOAT).provider();
        LlmRef ref;
        List<int[]> prompts = StandardPrompts.forVocab(shape.vocab());
        try (CausalLm lm = engine.load(floatDir, FLOAT, Map.of())) {
            ref = RunRecorder.record(lm, kv, prompts, STEPS, 20, Map.of("kind", "qins-java", "linear", FLOAT));
        }
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("float", FLOAT, floatDir, null, bench(floatDir, FLOAT)));
        for (String[] c : new String[][] {{"Pattern A", PATTERN_A}, {"legacy", LEGACY}}) {
            CompareMetrics m;
            try (CausalLm lm = engine.load(qinsDir, c[1], Map.of())) {
                m = Comparison.compare(ref, new Follower(lm, kv, 20).follow(ref, Map.of("kind", "qins-java", "linear", c[1])));
            }
            rows.add(new Row(c[0], c[1], qinsDir, m, bench(qinsDir, c[1])));
        }
        return new Result(floatDir, qinsDir, wroteFloat, wroteQins, shape, rows);
    }

    private BenchResult bench(Path dir, String linear) {
        return new Benchmark(engine).run(dir, linear, Map.of(), FLOAT, 16, 64, 1);
    }

    public static void print(Result r, PrintWriter out) {
        out.printf(Locale.ROOT, "QINS demo: a random Llama (%s, %.2f M parameters, seed %d)%n", r.shape().key(),
                r.shape().parameters() / 1e6, SEED);
        out.printf("  float checkpoint:     %s%s%n", r.floatModel(), r.wroteFloat() ? " (written now)" : " (cached)");
        out.printf("  converted checkpoint: %s%s%n", r.qinsModel(), r.wroteQins() ? " (converted now)" : " (cached)");
        out.printf("  3 prompts (1, 4 and 40 ids) x %d greedy steps; reference: float = fp32 over the float checkpoint%n%n", STEPS);
        List<String[]> lines = new ArrayList<>();
        lines.add(row("", r, x -> x.label() + " (" + x.linear() + ")"));
        lines.add(row("greedy match rate", r, x -> x.metrics() == null ? "(reference)" : f("%.3f", x.metrics().greedyMatchRate())));
        lines.add(row("first divergence per prompt", r, x -> x.metrics() == null ? "-" : divergences(x.metrics())));
        lines.add(row("teacher-forced top-1", r, x -> x.metrics() == null ? "1" : f("%.3f", x.metrics().teacherTop1())));
        lines.add(row("top-10 overlap", r, x -> x.metrics() == null ? "1" : f("%.3f", x.metrics().teacherTop10Overlap())));
        lines.add(row("mean KL vs float (nats)", r, x -> x.metrics() == null ? "0" : f("%.2e", x.metrics().meanKl())));
        lines.add(row("weight bytes", r, x -> f("%,d", x.bench().weightBytes())));
        lines.add(row("weight bytes / param", r, x -> f("%.3f", x.bench().weightBytesPerParam())));
        lines.add(row("linear bytes / linear param", r, x -> f("%.3f", x.bench().linearBytesPerParam())));
        lines.add(row("decode tokens/s", r, x -> f("%.1f", x.bench().decodeTokensPerSecond())));
        out.print(TextTable.render(lines));
        out.println();
        out.println("What the numbers mean:");
        out.println("  - Pattern A stores each linear weight as an 8-bit QINS code and decodes it back to a float inside");
        out.println("    the matrix product, so it computes the float model up to the codec's rounding: it should agree");
        out.println("    with float on almost every teacher-forced position, with a small KL.");
        out.println("  - legacy (deprecated) computes with the code values directly, in the QINS domain, so its outputs");
        out.println("    are not the float model's: low agreement and a large KL.");
        out.println("  - Greedy match is fragile on a random tiny model: one near tie changes every later token; read it");
        out.println("    with the first divergence. Weight bytes count the linear layers plus the float embeddings and norms.");
        out.flush();
    }

    public static Map<String, Object> toJson(Result r) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("float_model", r.floatModel().toString());
        j.put("qins_model", r.qinsModel().toString());
        j.put("shape", r.shape().key());
        j.put("seed", SEED);
        j.put("steps", STEPS);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Row x : r.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", x.label());
            m.put("linear", x.linear());
            if (x.metrics() != null) {
                m.put("greedy_match_rate", x.metrics().greedyMatchRate());
                m.put("teacher_forced_top1", x.metrics().teacherTop1());
                m.put("top10_overlap", x.metrics().teacherTop10Overlap());
                m.put("mean_kl", x.metrics().meanKl());
                m.put("first_divergence", x.metrics().prompts().stream().map(PromptMetrics::firstDivergence).toList());
            }
            m.put("bench", x.bench().toJson());
            rows.add(m);
        }
        j.put("rows", rows);
        return j;
    }

    private static String divergences(CompareMetrics m) {
        List<String> s = new ArrayList<>();
        for (PromptMetrics p : m.prompts()) {
            s.add(p.firstDivergence() >= STEPS ? "none" : String.valueOf(p.firstDivergence()));
        }
        return String.join(" / ", s);
    }

    private static String[] row(String name, Result r, java.util.function.Function<Row, String> f) {
        String[] l = new String[r.rows().size() + 1];
        l[0] = name;
        for (int i = 0; i < r.rows().size(); i++) {
            l[i + 1] = f.apply(r.rows().get(i));
        }
        return l;
    }

    private static String f(String fmt, Object v) {
        return String.format(Locale.ROOT, fmt, v);
    }
}
