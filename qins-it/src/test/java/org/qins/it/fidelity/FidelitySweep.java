package org.qins.it.fidelity;

import org.qins.api.WeightFormat;
import org.qins.api.Parallel;
import java.nio.file.Path;
import java.util.Map;
import org.qins.api.LayerSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.convert.ConversionReport;
import org.qins.transformer.convert.ModelConverter;
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

    SweepResult score(Path fixture, SweepConfig config, Path work) {
        WeightFormat format = selector.registry().formats().forName(config.format());
        Path converted = work.resolve(fixture.getFileName() + "-" + Integer.toHexString(config.hashCode()));
        ConversionReport report = new ModelConverter(format, ConversionOptions.of(format.name(), config.options()))
                .convert(fixture, converted, ConversionListener.NONE);
        double weightError = weightError(fixture, converted, format);
        LlmRef ref = ReferenceFile.read(fixture.resolve("reference.json"));
        LlmRef cand;
        try (CausalLm lm = new ModelLoader(new LayerLoader(selector, null, Parallel.SEQUENTIAL, Map.of())).load(converted)) {
            cand = new Follower(lm, selector.registry().kv("fp32"), 20).follow(ref, Map.of());
        }
        CompareMetrics m = Comparison.compare(ref, cand);
        return new SweepResult(report.bytesPerEncodedParam(), weightError, m.greedyMatchRate(), m.teacherTop1(),
                m.teacherTop10Overlap(), m.meanKl());
    }

    /** ||w' - w|| / ||w|| over every encoded weight, decoding through the format. */
    private static double weightError(Path fixture, Path converted, WeightFormat format) {
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
                float[] b = format.decode(new LayerSpec(base, (int) w.dim(0), (int) w.dim(1)), stored).toFloatArray();
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
