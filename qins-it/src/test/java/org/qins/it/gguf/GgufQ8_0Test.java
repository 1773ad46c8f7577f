package org.qins.it.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.api.LayerSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;
import org.qins.tools.validate.CompareMetrics;
import org.qins.tools.validate.Comparison;
import org.qins.tools.validate.Follower;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.gguf.HfToGguf;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.source.ModelSource;

/**
 * What Q8_0 in a GGUF file costs, against the same model in F16 (llama.cpp's usual source of a Q8_0 file).
 * Each fixture is written twice (matrices in F16, and in Q8_0 where rows are whole blocks); each file runs
 * {@code --linear fp32} (Q8_0 decoded once at load) and is converted with {@code qins convert} (QINS encoded
 * from the F16 values, or from the Q8_0 values decoded), all against transformers' float32 reference.
 * The relative weight error is over the block projections, against the F16 file's values. Writes
 * {@code target/gguf-q8_0.md}.
 */
class GgufQ8_0Test {

    @TempDir
    static Path work;
    static QinsEngine fp32;
    static QinsEngine qins;
    static final Map<String, String> ROWS = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        fp32 = QinsEngine.builder().threads(2).linear("fp32").kv("fp32").build();
        qins = QinsEngine.builder().threads(2).kv("fp32").build();
    }

    @AfterAll
    static void writeTable() throws IOException {
        fp32.close();
        qins.close();
        String table = "| fixture | weights | rel. weight error vs the F16 file | tf top-1 | mean KL | KL / QINS from F16 |\n"
                + "| --- | --- | --- | --- | --- | --- |\n" + String.join("\n", ROWS.values()) + "\n";
        Path out = Path.of("target", "gguf-q8_0.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        System.out.print(table);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-qwen2", "tiny-phi3", "tiny-stories-1m"})
    void qinsFromQ8_0AddsBothRoundings(String fixture) throws IOException {
        Path dir = Path.of(System.getProperty("qins.fixtures"), fixture);
        LlmRef ref = ReferenceFile.read(dir.resolve("reference.json"));
        Path f16 = HfToGguf.write(dir, work.resolve(fixture + "-f16.gguf"), HfToGguf.Type.F16);
        Path q8 = HfToGguf.write(dir, work.resolve(fixture + "-q8_0.gguf"), HfToGguf.Type.Q8_0);
        Path qinsF16 = convert(f16);
        Path qinsQ8 = convert(q8);

        Row floatF16 = row(fixture, "F16 (fp32 layers)", f16, f16, fp32, ref, null);
        Row floatQ8 = row(fixture, "Q8_0, decoded at load (fp32 layers)", q8, f16, fp32, ref, null);
        Row fromF16 = row(fixture, "QINS qins9 from F16 (qins convert)", qinsF16, f16, qins, ref, null);
        Row fromQ8 = row(fixture, "QINS qins9 from Q8_0 (qins convert)", qinsQ8, f16, qins, ref, fromF16);

        // Q8_0 moves the block weights by about 0.55 % (and its file quantizes the embedding and head too); QINS from
        // those values adds its own rounding as an independent error: the weight errors add in quadrature, the KLs
        // about add (measured: 1.0 to 1.5 times the sum).
        assertThat(floatF16.weightError()).isZero(); // the F16 file is the reference of the weight errors
        assertThat(floatQ8.weightError()).isBetween(0.004, 0.007);
        double quadrature = Math.hypot(fromF16.weightError(), floatQ8.weightError());
        assertThat(fromQ8.weightError()).isBetween(0.95 * quadrature, 1.05 * quadrature);
        assertThat(fromQ8.meanKl()).isGreaterThan(Math.max(fromF16.meanKl(), floatQ8.meanKl()))
                .isLessThan(2 * (fromF16.meanKl() + floatQ8.meanKl()));
    }

    private static Path convert(Path gguf) {
        Path out = work.resolve(gguf.getFileName().toString().replace(".gguf", "-qins"));
        qins.convert(gguf, out, ConversionOptions.of(qins.defaultFormat(), Map.of()), ConversionListener.NONE);
        return out;
    }

    record Row(double weightError, double meanKl) {
    }

    private static Row row(String fixture, String what, Path model, Path f16, QinsEngine engine, LlmRef ref, Row base) {
        CompareMetrics m;
        try (CausalLm lm = engine.load(model)) {
            m = Comparison.compare(ref, new Follower(lm, engine.kvCache(), 20).follow(ref, Map.of()));
        }
        double err = weightError(model, f16);
        String line = String.format("| %s | %s | %.3f%% | %.4f | %.3e | %s |", fixture, what, 100 * err, m.teacherTop1(), m.meanKl(),
                base == null ? "-" : String.format("%.2f", m.meanKl() / base.meanKl()));
        synchronized (ROWS) {
            ROWS.put(fixture + what, line);
        }
        System.out.println(line);
        return new Row(err, m.meanKl());
    }

    /** sqrt(sum (w - w_f16)^2 / sum w_f16^2) over the block projections, each weight decoded by its stored format. */
    static double weightError(Path model, Path f16) {
        ModelSource a = ModelSource.of(model);
        ModelSource b = ModelSource.of(f16);
        ModelConfig c = b.config();
        double num = 0;
        double den = 0;
        try (Checkpoint x = a.openCheckpoint(a.config()); Checkpoint y = b.openCheckpoint(c)) {
            for (String base : c.architecture().blockLinears(c.layers())) {
                LayerSpec spec = c.linearSpecs().get(base);
                float[] u = decode(x.linear(base), spec);
                float[] v = decode(y.linear(base), spec);
                for (int i = 0; i < v.length; i++) {
                    num += (u[i] - v[i]) * (double) (u[i] - v[i]);
                    den += v[i] * (double) v[i];
                }
            }
        }
        return Math.sqrt(num / den);
    }

    private static float[] decode(StoredWeight w, LayerSpec spec) {
        TensorView t = w.isFloat() ? w.part(StoredWeight.WEIGHT) : WeightFormat.forName(w.format()).decode(spec, w);
        return t.toFloatArray();
    }
}
