package org.qins.transformer.calibrate;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qins.api.InputStatistics;
import org.qins.api.KvCacheProvider;
import org.qins.api.LinearLayerProvider;
import org.qins.api.Parallel;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.Projection;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.generate.TokenListener;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.ModelLoader;
import org.qins.transformer.model.Sequence;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;
import org.qins.transformer.source.ModelSource;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * Runs the calibration pass: loads the float model with the float reference provider
 * ({@value ProviderSelector#FLOAT_REFERENCE}) wrapped so that each block linear's input second
 * moments are summed, and runs it over the {@link CalibrationPlan}'s text. Cost: the float model
 * over the plan's tokens, plus {@code in^2 / 2} multiply-adds per token for each distinct input.
 */
public final class Calibrator {

    private final ProviderRegistry registry;
    private final Parallel parallel;

    public Calibrator(ProviderRegistry registry, Parallel parallel) {
        this.registry = registry;
        this.parallel = parallel;
    }

    /** Checks what can be checked before the pass: the float provider, a tokenizer for a text. */
    public void check(Path model, CalibrationPlan plan) {
        if (!registry.hasLinear(ProviderSelector.FLOAT_REFERENCE)) {
            throw new IllegalArgumentException("calibration runs the float model with the '" + ProviderSelector.FLOAT_REFERENCE
                    + "' linear provider, which is not on the classpath");
        }
        if (plan.text() != null && !ModelSource.of(model).hasTokenizer()) {
            throw new IllegalArgumentException(model + " has no tokenizer to read the calibration text " + plan.text()
                    + " with; calibrate on generated samples instead");
        }
    }

    /** The statistics of every block linear of {@code model} over {@code plan}'s text. */
    public CalibrationStatistics collect(Path model, CalibrationPlan plan, CalibrationListener listener) {
        check(model, plan);
        ModelConfig config = ModelSource.of(model).config();
        List<int[]> pieces = plan.text() != null ? pieces(model, plan, config) : null;
        Map<String, String> inputOf = inputKeys(config);
        InputRecorder recorder = new InputRecorder(registry.linear(ProviderSelector.FLOAT_REFERENCE), inputOf);
        List<LinearLayerProvider> linear = new ArrayList<>(registry.linearProviders());
        linear.add(recorder);
        ProviderSelector selector = new ProviderSelector(new ProviderRegistry(linear, registry.kvProviders(), registry.formats().all()),
                () -> null);
        KvCacheProvider kv = registry.hasKv(ProviderSelector.FLOAT_REFERENCE) ? registry.kv(ProviderSelector.FLOAT_REFERENCE)
                : selector.chooseKv(null).provider();
        try (CausalLm lm = new ModelLoader(new LayerLoader(selector, InputRecorder.NAME, parallel, Map.of())).load(model)) {
            if (pieces != null) {
                listener.started(pieces.size(), pieces.stream().mapToLong(p -> p.length).sum());
                long done = 0;
                for (int s = 0; s < pieces.size(); s++) {
                    Sequence seq = lm.newSequence(kv, pieces.get(s).length);
                    seq.prefill(pieces.get(s));
                    done += pieces.get(s).length;
                    listener.sampleDone(s, done);
                }
            } else {
                listener.started(plan.samples(), (long) plan.samples() * plan.length());
                Generator gen = new Generator(lm, kv);
                int[] bos = {config.bosTokenId()};
                for (int s = 0; s < plan.samples(); s++) {
                    // No stop token: the model sees BOS and length - 1 tokens of its own (the last one is not fed).
                    gen.generate(bos, new GenerationOptions(plan.length(), 1f, 1f, plan.seed() + s, Set.of()), TokenListener.NONE);
                    listener.sampleDone(s, (long) (s + 1) * plan.length());
                }
            }
        }
        Map<String, double[]> gram = recorder.gram();
        Map<String, InputStatistics> shared = new HashMap<>();
        Map<String, InputStatistics> byTensor = new HashMap<>();
        for (Map.Entry<String, String> e : inputOf.entrySet()) {
            InputStatistics s = shared.computeIfAbsent(e.getValue(), key -> {
                double[] h = gram.get(key);
                if (h == null) {
                    throw new IllegalStateException("the calibration pass never reached tensor '" + key + "'");
                }
                return new InputStatistics(recorder.size(key), h, recorder.tokens());
            });
            byTensor.put(e.getKey(), s);
        }
        return new CalibrationStatistics(byTensor, recorder.tokens(), plan.describe());
    }

    /** Tensor base of every block linear -> the base of the first tensor of its projection (which reads the same input). */
    static Map<String, String> inputKeys(ModelConfig config) {
        Architecture arch = config.architecture();
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < config.layers(); i++) {
            for (Projection p : Projection.values()) {
                List<String> tensors = arch.layer().tensors(p);
                String first = arch.inLayer(i, tensors.get(0));
                for (String t : tensors) {
                    out.put(arch.inLayer(i, t), first);
                }
            }
        }
        return out;
    }

    /** The text tokenized (BOS as the tokenizer config says) and cut into pieces of {@code plan.length()} tokens. */
    private static List<int[]> pieces(Path model, CalibrationPlan plan, ModelConfig config) {
        if (plan.length() > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("calibration pieces of " + plan.length() + " tokens exceed the model's context of "
                    + config.maxPositionEmbeddings() + " (max_position_embeddings)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(plan.text()))).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(plan.text() + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(plan.text() + ": cannot read: " + e.getMessage(), e);
        }
        int[] ids;
        try (Tokenizer tok = ModelSource.of(model).tokenizer()) {
            ids = tok.encode(text);
        }
        if (ids.length == 0 || text.isBlank()) {
            throw new IllegalArgumentException(plan.text() + ": no text to calibrate on");
        }
        List<int[]> out = new ArrayList<>();
        for (int k = 0; k < ids.length; k += plan.length()) {
            out.add(java.util.Arrays.copyOfRange(ids, k, Math.min(ids.length, k + plan.length())));
        }
        return out;
    }
}
