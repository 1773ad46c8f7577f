package org.qins.transformer.calibrate;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;

/**
 * The float reference provider's layers, each also adding the inputs it sees to its input's
 * {@code H} (the upper triangle; {@link #gram} completes it). Only the first tensor of a
 * projection records: the others read the same input.
 */
final class InputRecorder implements LinearLayerProvider {

    static final String NAME = "fp32-calibrating";

    private final LinearLayerProvider fp32;
    /** Tensor base -> the key of its input (the projection's first tensor). */
    private final Map<String, String> inputOf;
    private final Map<String, double[]> gram = new HashMap<>();
    private final Map<String, Integer> sizes = new HashMap<>();
    private long tokens;
    private String counting;

    InputRecorder(LinearLayerProvider fp32, Map<String, String> inputOf) {
        this.fp32 = fp32;
        this.inputOf = Map.copyOf(inputOf);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return Integer.MIN_VALUE; // chosen by name only
    }

    @Override
    public String description() {
        return "fp32, summing each block linear's input second moments (calibration)";
    }

    @Override
    public Set<String> formats() {
        return fp32.formats();
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        LinearLayer inner = fp32.load(spec, stored, context);
        if (!spec.name().equals(inputOf.get(spec.name()))) {
            return inner; // not a block linear, or it shares the input of the projection's first tensor
        }
        int in = spec.inFeatures();
        double[] h = gram.computeIfAbsent(spec.name(), k -> new double[Math.multiplyExact(in, in)]);
        sizes.put(spec.name(), in);
        if (counting == null) {
            counting = spec.name();
        }
        boolean counts = counting.equals(spec.name());
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
                            int row = i * in;
                            for (int j = i; j < in; j++) {
                                h[row + j] += xi * input[x0 + j];
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
                return inner.describe() + " (calibrating)";
            }
        };
    }

    /** Input vectors the first recording layer saw (every block linear sees each token once). */
    long tokens() {
        return tokens;
    }

    /** The full symmetric {@code H} of each recorded input, by input key (the lower triangle filled in here). */
    Map<String, double[]> gram() {
        gram.forEach((key, h) -> {
            int n = sizes.get(key);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    h[i * n + j] = h[j * n + i];
                }
            }
        });
        return gram;
    }

    int size(String key) {
        return sizes.get(key);
    }
}
