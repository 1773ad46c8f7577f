package org.qins.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a stored weight's codes look like, for reports such as {@code qins report}: named counts
 * of weights that have some property (a reserved code, the top of a range) and named histograms
 * (a count per code). Names are the format's own and are shown as they are, so they should read
 * as column headings ({@code "zero code"}); formats document what each means.
 *
 * @param weights    the weights described (out x in); every count is at most this
 * @param counts     weights per named property, in the order to show them
 * @param histograms counts per bin (e.g. per code value), each summing to at most {@code weights};
 *                   histograms with the same name and length may be pooled across weights.
 *                   The arrays are copied in; {@link #histogram} hands out copies, and the
 *                   accessor's arrays must not be changed
 */
public record WeightStatistics(long weights, Map<String, Long> counts, Map<String, long[]> histograms) {

    public WeightStatistics {
        if (weights < 0) {
            throw new IllegalArgumentException("weights must be >= 0, got " + weights);
        }
        Map<String, Long> c = new LinkedHashMap<>();
        counts.forEach((k, v) -> {
            if (v < 0 || v > weights) {
                throw new IllegalArgumentException("count '" + k + "' is " + v + ", outside [0, " + weights + "]");
            }
            c.put(Objects.requireNonNull(k), v);
        });
        counts = Collections.unmodifiableMap(c);
        Map<String, long[]> h = new LinkedHashMap<>();
        histograms.forEach((k, v) -> h.put(Objects.requireNonNull(k), v.clone()));
        histograms = Collections.unmodifiableMap(h);
    }

    /** No format-specific statistics (what a format that does not describe its codes gives). */
    public static WeightStatistics none(long weights) {
        return new WeightStatistics(weights, Map.of(), Map.of());
    }

    /** True when there is nothing format-specific to show. */
    public boolean isEmpty() {
        return counts.isEmpty() && histograms.isEmpty();
    }

    /** {@code counts.get(name) / weights}, or NaN when the format gives no such count. */
    public double share(String name) {
        Long c = counts.get(name);
        return c == null || weights == 0 ? Double.NaN : (double) c / weights;
    }

    /** A copy of the histogram {@code name}, or null. */
    public long[] histogram(String name) {
        long[] h = histograms.get(name);
        return h == null ? null : h.clone();
    }
}
