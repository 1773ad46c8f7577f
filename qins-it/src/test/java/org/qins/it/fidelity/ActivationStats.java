package org.qins.it.fidelity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.Parallel;
import org.qins.api.StoredWeight;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.generate.TokenListener;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.ModelLoader;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;

/**
 * Calibration statistics: for each linear layer of the blocks, {@code H = sum x x^T} over its
 * inputs {@code x} while the float model generates text of its own from BOS (sampled at
 * temperature 1; no text is needed and none of the reference's prompts is seen).
 *
 * @param gram   layer name -> H, {@code in x in} row-major
 * @param tokens number of input vectors each layer saw
 */
record ActivationStats(Map<String, double[]> gram, long tokens) {

    /** H of {@code layer}, or a clear error naming it. */
    double[] of(String layer, int in) {
        double[] h = gram.get(layer);
        if (h == null || h.length != in * in) {
            throw new IllegalStateException("no calibration statistics for layer '" + layer + "' with " + in + " inputs");
        }
        return h;
    }

    /**
     * Runs the float model over {@code fixture}: {@code sequences} samples of {@code length} tokens
     * each from BOS, seeds {@code seed, seed+1, ...}.
     */
    static ActivationStats collect(Path fixture, int sequences, int length, long seed) {
        ProviderRegistry found = ProviderRegistry.discover();
        Recording recording = new Recording(found.linear("fp32"));
        List<LinearLayerProvider> linear = new ArrayList<>(found.linearProviders());
        linear.add(recording);
        ProviderSelector selector = new ProviderSelector(new ProviderRegistry(linear, found.kvProviders(), found.formats().all()),
                () -> null);
        try (CausalLm lm = new ModelLoader(new LayerLoader(selector, recording.name(), Parallel.SEQUENTIAL, Map.of())).load(fixture)) {
            Generator gen = new Generator(lm, found.kv("fp32"));
            for (int s = 0; s < sequences; s++) {
                // No stop token: every sample is exactly `length` tokens.
                gen.generate(new int[] {lm.config().bosTokenId()}, new GenerationOptions(length, 1f, 1f, seed + s, Set.of()),
                        TokenListener.NONE);
            }
        }
        return new ActivationStats(recording.gram, recording.tokens);
    }

    /** A float provider whose layers add every input they see to their layer's H. */
    private static final class Recording implements LinearLayerProvider {

        private final LinearLayerProvider fp32;
        final Map<String, double[]> gram = new HashMap<>();
        long tokens;

        Recording(LinearLayerProvider fp32) {
            this.fp32 = fp32;
        }

        @Override
        public String name() {
            return "fp32-recording";
        }

        @Override
        public int priority() {
            return -1;
        }

        @Override
        public String description() {
            return "fp32, recording each layer's input second moments (test)";
        }

        @Override
        public java.util.Set<String> formats() {
            return fp32.formats();
        }

        @Override
        public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
            LinearLayer inner = fp32.load(spec, stored, context);
            int in = spec.inFeatures();
            double[] h = gram.computeIfAbsent(spec.name(), k -> new double[in * in]);
            boolean counts = gram.size() == 1;
            return new LinearLayer() {
                @Override
                public LayerSpec spec() {
                    return spec;
                }

                @Override
                public void forward(float[] input, float[] output, int batch) {
                    for (int b = 0; b < batch; b++) {
                        int x0 = b * in;
                        for (int i = 0; i < in; i++) {
                            double xi = input[x0 + i];
                            if (xi != 0) {
                                for (int j = 0; j < in; j++) {
                                    h[i * in + j] += xi * input[x0 + j];
                                }
                            }
                        }
                    }
                    if (counts) {
                        tokens += batch;
                    }
                    inner.forward(input, output, batch);
                }

                @Override
                public long residentBytes() {
                    return inner.residentBytes();
                }

                @Override
                public String describe() {
                    return inner.describe() + " (recording)";
                }
            };
        }
    }
}
