package org.qins.it.fidelity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.qins.api.Parallel;
import org.qins.api.LayerSpec;
import org.qins.api.WeightFormat;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.tools.validate.RunRecorder;
import org.qins.transformer.convert.ConversionReport;
import org.qins.transformer.convert.ModelConverter;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.generate.TokenListener;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.ModelLoader;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;
import org.qins.tools.validate.CompareMetrics;
import org.qins.tools.validate.Comparison;
import org.qins.tools.validate.Follower;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;

/**
 * Scores an encoding on a fixture the way a user would: {@code qins convert} with the options,
 * load the converted directory (the stored format picks the layer), follow the reference's
 * prompts, and compare with compare.py's metrics. Only the SPI is used, so third-party
 * providers (int8, Q8_0) are scored by the same code.
 */
final class FidelitySweep {

    private final ProviderSelector selector = new ProviderSelector(ProviderRegistry.discover(), () -> null);

    ProviderRegistry registry() {
        return selector.registry();
    }

    SweepResult score(Path fixture, SweepConfig config, Path work) {
        return score(fixture, selector.registry().formats().forName(config.format()), config.options(), work);
    }

    /** Scores {@code format}'s encoding (it need not be registered: the converted weights load by their stored format). */
    SweepResult score(Path fixture, WeightFormat format, Map<String, String> options, Path work) {
        return convert(fixture, format, options, work).score(ReferenceFile.read(fixture.resolve("reference.json")));
    }

    /** A converted fixture, to be scored against one or more references. */
    final class Converted {
        private final Path dir;
        private final double bytesPerWeight;
        private final double weightError;

        private Converted(Path dir, double bytesPerWeight, double weightError) {
            this.dir = dir;
            this.bytesPerWeight = bytesPerWeight;
            this.weightError = weightError;
        }

        /** Follows {@code ref}'s prompts with the converted model and compares. */
        SweepResult score(LlmRef ref) {
            LlmRef cand;
            try (CausalLm lm = new ModelLoader(new LayerLoader(selector, null, Parallel.SEQUENTIAL, Map.of())).load(dir)) {
                cand = new Follower(lm, selector.registry().kv("fp32"), 20).follow(ref, Map.of());
            }
            CompareMetrics m = Comparison.compare(ref, cand);
            return new SweepResult(bytesPerWeight, weightError, m.greedyMatchRate(), m.teacherTop1(), m.teacherTop10Overlap(),
                    m.meanKl());
        }
    }

    Converted convert(Path fixture, WeightFormat format, Map<String, String> options, Path work) {
        return convert(fixture, format, ConversionOptions.of(format.name(), options), work);
    }

    /** {@code options} may carry calibration statistics. */
    Converted convert(Path fixture, WeightFormat format, ConversionOptions options, Path work) {
        Path converted = work.resolve(fixture.getFileName() + "-" + format.name() + "-" + Integer.toHexString(options.formatOptions().hashCode())
                + (options.calibration() == null ? "" : "-calibrated-" + Integer.toHexString(System.identityHashCode(options.calibration()))));
        ConversionReport report = new ModelConverter(format, options).convert(fixture, converted, ConversionListener.NONE);
        return new Converted(converted, report.bytesPerEncodedParam(), weightError(fixture, converted));
    }

    /**
     * A second, larger test set: {@code prompts} texts the float model samples from BOS (seeds
     * {@code seed, seed+1, ...}, {@code promptLength} tokens each, BOS included), then {@code steps}
     * greedy tokens, recorded from the float layers ({@code fp32}, which reproduces the fixtures'
     * references to a mean KL of 1e-6). Only for comparing encodings with each other: the fixtures'
     * references stay the measure of record.
     */
    LlmRef ownText(Path fixture, int prompts, int promptLength, int steps, long seed) {
        try (CausalLm lm = new ModelLoader(new LayerLoader(selector, "fp32", Parallel.SEQUENTIAL, Map.of())).load(fixture)) {
            org.qins.api.KvCacheProvider kv = selector.registry().kv("fp32");
            Generator gen = new Generator(lm, kv);
            List<int[]> texts = new ArrayList<>();
            int bos = lm.config().bosTokenId();
            for (int p = 0; p < prompts; p++) {
                int[] t = gen.generate(new int[] {bos}, new GenerationOptions(promptLength - 1, 1f, 1f, seed + p, Set.of()),
                        TokenListener.NONE).tokens();
                int[] prompt = new int[promptLength];
                prompt[0] = bos;
                System.arraycopy(t, 0, prompt, 1, t.length);
                texts.add(prompt);
            }
            return RunRecorder.record(lm, kv, texts, steps, 20, Map.of("engine", "qins fp32 (own text)"));
        }
    }

    /** ||w' - w|| / ||w|| over every encoded weight, decoding through its stored format. */
    private double weightError(Path fixture, Path converted) {
        double err = 0;
        double norm = 0;
        try (Checkpoint src = Checkpoint.open(fixture); Checkpoint enc = Checkpoint.open(converted)) {
            for (String name : src.tensorNames()) {
                if (!name.endsWith(".weight")) {
                    continue;
                }
                String base = name.substring(0, name.length() - ".weight".length());
                if (!enc.isEncoded(base)) {
                    continue;
                }
                TensorView w = src.tensor(name);
                StoredWeight stored = enc.linear(base);
                float[] a = w.toFloatArray();
                float[] b = selector.registry().formats().forName(stored.format()).decode(new LayerSpec(base, (int) w.dim(0), (int) w.dim(1)), stored).toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    double d = (double) b[i] - a[i];
                    err += d * d;
                    norm += (double) a[i] * a[i];
                }
            }
        }
        return Math.sqrt(err / norm);
    }
}
