package org.qins.tools.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a converted checkpoint's error goes: every encoded weight against its float source, and
 * (when measured) each layer's KL contribution.
 *
 * @param converted  the converted checkpoint
 * @param source     its float source
 * @param model      the model in a few words (architecture, layers, sizes)
 * @param tensors    every encoded weight, by layer
 * @param layers     per group (decoder layer, or a weight outside the layers): the float model with
 *                   only that group encoded; empty when not measured
 * @param all        every encoded weight at once, or null when not measured
 * @param reference  what the models ran on
 */
public record LayoutReport(Path converted, Path source, String model, List<TensorError> tensors, List<LayerContribution> layers,
        LayerContribution all, String reference) {

    public LayoutReport {
        tensors = List.copyOf(tensors);
        layers = List.copyOf(layers);
    }

    public boolean hasLayerKl() {
        return all != null;
    }

    /** Encoded weights in all. */
    public long weights() {
        return tensors.stream().mapToLong(TensorError::weights).sum();
    }

    /** Stored bytes per encoded weight. */
    public double bytesPerWeight() {
        return (double) tensors.stream().mapToLong(TensorError::storedBytes).sum() / weights();
    }

    /** ||decoded - source|| / ||source|| over every encoded weight together. */
    public double relativeError() {
        return TensorError.relative(tensors.stream().mapToDouble(TensorError::squaredError).sum(),
                tensors.stream().mapToDouble(TensorError::squaredNorm).sum());
    }

    /** Non-zero source weights that decode to zero, over all encoded weights. */
    public long flushed() {
        return tensors.stream().mapToLong(TensorError::flushed).sum();
    }

    /** The names of the formats' counts, in the order they first appear. */
    public List<String> countNames() {
        Set<String> names = new LinkedHashSet<>();
        tensors.forEach(t -> names.addAll(t.statistics().counts().keySet()));
        return List.copyOf(names);
    }

    /** A count summed over the weights whose format gives it, and the weights those hold: {count, weights}. */
    public long[] pooledCount(String name) {
        long count = 0;
        long weights = 0;
        for (TensorError t : tensors) {
            Long c = t.statistics().counts().get(name);
            if (c != null) {
                count += c;
                weights += t.statistics().weights();
            }
        }
        return new long[] {count, weights};
    }

    /**
     * Each histogram summed over the weights whose format gives one of that name and length; a
     * name that comes with another length too (two layouts in one checkpoint) is pooled apart,
     * as {@code "name (N bins)"}.
     */
    public Map<String, long[]> pooledHistograms() {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (TensorError t : tensors) {
            t.statistics().histograms().forEach((name, h) -> {
                long[] first = out.get(name);
                String key = first == null || first.length == h.length ? name : name + " (" + h.length + " bins)";
                long[] sum = out.computeIfAbsent(key, k -> new long[h.length]);
                for (int i = 0; i < h.length; i++) {
                    sum[i] += h[i];
                }
            });
        }
        return out;
    }

    /** Each format with the parameters recorded with a weight, and how many weights are stored so. */
    public List<String> formats() {
        Map<String, Long> weights = new TreeMap<>();
        tensors.forEach(t -> weights.merge(t.format() + " " + new TreeMap<>(t.parameters()), t.weights(), Long::sum));
        List<String> out = new ArrayList<>();
        weights.forEach((f, n) -> out.add(String.format(java.util.Locale.ROOT, "%s: %,d weights", f, n)));
        return out;
    }

    /** The sum of the groups' mean KLs (KL is not additive: compare it with {@link #all}). */
    public double sumOfLayerKl() {
        return layers.stream().mapToDouble(l -> l.score().meanKl()).sum();
    }
}
