package org.qins.tools.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.qins.api.KvCacheProvider;
import org.qins.tools.validate.Comparer;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;
import org.qins.tools.validate.RunRecorder;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.provider.ProviderRegistry;

/**
 * Builds a {@link LayoutReport}: every encoded weight of a converted checkpoint against its float
 * source ({@link TensorErrors}), then, for each decoder layer, the float model with only that
 * layer's weights taken from the converted checkpoint ({@link MixedModels}) scored against the
 * float model on the same teacher-forced tokens ({@link TeacherForcedScore}), and the same with
 * every encoded weight. Models are loaded one at a time; the KV cache is the float one.
 */
public final class LayoutReporter {

    /** The KV cache every run uses: the float reference, so that only the weights differ. */
    static final String KV = "fp32";

    private final QinsEngine engine;

    /** Formats, float layers and the worker pool come from {@code engine}. */
    public LayoutReporter(QinsEngine engine) {
        this.engine = engine;
    }

    /**
     * @param converted a converted checkpoint directory
     * @param source    the float checkpoint it was converted from
     * @param progress  one line per step (may be a no-op)
     */
    public LayoutReport run(Path converted, Path source, ReportSettings settings, Consumer<String> progress) {
        ModelConfig config = ConfigLoader.load(source);
        checkSameModel(config, ConfigLoader.load(converted), converted, source);
        ProviderRegistry registry = engine.providers().registry();
        try (Checkpoint src = Checkpoint.open(source); Checkpoint enc = Checkpoint.open(converted)) {
            progress.accept("measuring the encoded weights of " + converted + " against " + source);
            List<TensorError> tensors = TensorErrors.measure(src, enc, config.architecture(), registry.formats());
            String model = config.architecture().className() + ", " + config.layers() + " layers, hidden " + config.hiddenSize()
                    + ", vocab " + config.vocabSize();
            if (!settings.layerKl()) {
                return new LayoutReport(converted, source, model, tensors, List.of(), null, "not run (weights only)");
            }
            MixedModels models = new MixedModels(source, enc, registry, engine.parallel());
            KvCacheProvider kv = registry.kv(KV);
            LlmRef reference;
            progress.accept("running the float model for the reference logits");
            try (CausalLm lm = models.load(Set.of())) {
                reference = reference(lm, kv, settings);
            }
            long positions = reference.prompts().stream().mapToLong(p -> p.teacherTokens().length).sum();
            String described = "the float model's own logits (fp32 layers, fp32 KV cache) on " + (settings.referenceFile() != null
                    ? "the teacher-forced tokens of " + settings.referenceFile().getFileName() : "its greedy continuations")
                    + ": " + reference.prompts().size() + " prompts, " + positions + " teacher-forced positions";
            List<LayerContribution> layers = new ArrayList<>();
            for (Map.Entry<String, List<TensorError>> g : groups(tensors).entrySet()) {
                progress.accept("layer " + g.getKey() + ": " + g.getValue().size() + " weights from the converted checkpoint");
                layers.add(contribution(g.getKey(), g.getValue(), models, kv, reference));
            }
            progress.accept("all encoded weights");
            LayerContribution all = contribution("all", tensors, models, kv, reference);
            return new LayoutReport(converted, source, model, tensors, layers, all, described);
        }
    }

    private static LlmRef reference(CausalLm lm, KvCacheProvider kv, ReportSettings settings) {
        Map<String, Object> source = Map.of("kind", "qins-java", "linear", "fp32", "kv", KV);
        if (settings.referenceFile() != null) {
            LlmRef file = ReferenceFile.read(settings.referenceFile());
            if (file.model().get("vocab_size") instanceof Number v && v.intValue() != lm.config().vocabSize()) {
                throw new IllegalArgumentException(settings.referenceFile() + " is for a vocabulary of " + v + " tokens, the model has "
                        + lm.config().vocabSize());
            }
            return TeacherForcedScore.reference(file, lm, kv, source);
        }
        return RunRecorder.record(lm, kv, settings.prompts(), settings.steps(), Comparer.TOP_K, source);
    }

    private static LayerContribution contribution(String group, List<TensorError> tensors, MixedModels models, KvCacheProvider kv,
            LlmRef reference) {
        List<String> names = tensors.stream().map(TensorError::name).toList();
        TeacherForcedScore score;
        try (CausalLm lm = models.load(Set.copyOf(names))) {
            score = TeacherForcedScore.of(reference, lm, kv);
        }
        return new LayerContribution(group, names, tensors.stream().mapToLong(TensorError::weights).sum(),
                TensorError.relative(tensors.stream().mapToDouble(TensorError::squaredError).sum(),
                        tensors.stream().mapToDouble(TensorError::squaredNorm).sum()), score);
    }

    /** Tensors by group, in the tensors' order. */
    static Map<String, List<TensorError>> groups(List<TensorError> tensors) {
        Map<String, List<TensorError>> out = new LinkedHashMap<>();
        tensors.forEach(t -> out.computeIfAbsent(t.group(), k -> new ArrayList<>()).add(t));
        return out;
    }

    private static void checkSameModel(ModelConfig a, ModelConfig b, Path converted, Path source) {
        if (!a.architecture().className().equals(b.architecture().className()) || a.layers() != b.layers()
                || a.hiddenSize() != b.hiddenSize() || a.vocabSize() != b.vocabSize()) {
            throw new IllegalArgumentException(converted + "/config.json describes another model than " + source + "/config.json ("
                    + b.architecture().className() + ", " + b.layers() + " layers, hidden " + b.hiddenSize() + ", vocab "
                    + b.vocabSize() + " against " + a.architecture().className() + ", " + a.layers() + " layers, hidden "
                    + a.hiddenSize() + ", vocab " + a.vocabSize() + ")");
        }
    }
}
