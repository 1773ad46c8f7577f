package org.qins.tools.report;

import java.util.Map;
import org.qins.api.WeightStatistics;

/**
 * One encoded linear weight against its float source.
 *
 * @param name         the weight's base name ({@code model.layers.0.self_attn.q_proj})
 * @param group        the decoder layer it belongs to ({@code "0"}, ...) or its own name outside the layers
 * @param localName    its name inside the layer ({@code self_attn.q_proj}), or the full name outside
 * @param rows         out features
 * @param cols         in features
 * @param format       the stored format's name
 * @param parameters   the format's parameters recorded with the weight
 * @param storedBytes  bytes of its stored parts
 * @param squaredError sum of (decoded - source)^2
 * @param squaredNorm  sum of source^2
 * @param flushed      non-zero source weights that decode to exactly zero
 * @param statistics   the format's own statistics of the stored weight (may be empty)
 */
public record TensorError(String name, String group, String localName, int rows, int cols, String format, Map<String, String> parameters,
        long storedBytes,
        double squaredError, double squaredNorm, long flushed, WeightStatistics statistics) {

    public TensorError {
        parameters = Map.copyOf(parameters);
    }

    public long weights() {
        return (long) rows * cols;
    }

    /** ||decoded - source|| / ||source|| (0 for an all-zero source decoded exactly). */
    public double relativeError() {
        return relative(squaredError, squaredNorm);
    }

    public double bytesPerWeight() {
        return (double) storedBytes / weights();
    }

    static double relative(double squaredError, double squaredNorm) {
        return squaredNorm == 0 ? (squaredError == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(squaredError / squaredNorm);
    }
}
