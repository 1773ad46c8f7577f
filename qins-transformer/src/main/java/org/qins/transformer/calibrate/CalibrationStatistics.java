package org.qins.transformer.calibrate;

import java.util.Locale;
import java.util.Map;
import org.qins.api.InputStatistics;
import org.qins.transformer.arch.Projection;
import org.qins.transformer.config.ModelConfig;

/**
 * The result of a calibration pass: for every block linear (by its tensor base,
 * {@code model.layers.3.self_attn.q_proj}) the statistics of its input, shared by the layers
 * that read the same input (q, k, v; gate, up).
 *
 * <p>Memory: per block, {@code 8 in^2} bytes for each of the four distinct inputs (attention, its
 * output projection, MLP, down projection), all held until the conversion ends; see
 * {@link #bytesNeeded} and {@link #requireFits}.
 *
 * @param inputs   tensor base -> the statistics of its input
 * @param tokens   input vectors each layer saw
 * @param describe what the model ran over ({@link CalibrationPlan#describe})
 */
public record CalibrationStatistics(Map<String, InputStatistics> inputs, long tokens, String describe) {

    public CalibrationStatistics {
        inputs = Map.copyOf(inputs);
    }

    /** The statistics of {@code base}'s input, or an error naming the tensor. */
    public InputStatistics of(String base) {
        InputStatistics s = inputs.get(base);
        if (s == null) {
            throw new IllegalArgumentException("no calibration statistics for tensor '" + base + "'");
        }
        return s;
    }

    /** Bytes of the statistics of a model with {@code config}: {@code 8 in^2} per distinct input per block. */
    public static long bytesNeeded(ModelConfig config) {
        long perLayer = 0;
        for (Projection p : Projection.values()) {
            perLayer += InputStatistics.bytes(config.inputSize(p));
        }
        return config.layers() * perLayer;
    }

    /** The largest input of a block: the calibrated encoder holds one {@code 8 in^2} factor of it besides the statistics. */
    static long largestFactorBytes(ModelConfig config) {
        long max = 0;
        for (Projection p : Projection.values()) {
            max = Math.max(max, InputStatistics.bytes(config.inputSize(p)));
        }
        return max;
    }

    /**
     * Refuses, before the pass runs, a model whose statistics plus the encoder's factor would take
     * more than 3/4 of {@code maxHeap} (the rest is for the float model's norms, the pass and the writer):
     * the message gives the numbers.
     */
    public static void requireFits(ModelConfig config, long maxHeap) {
        long stats = bytesNeeded(config);
        long need = stats + largestFactorBytes(config);
        if (need > maxHeap / 4 * 3) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "calibration needs %s: %s of statistics (8 x in^2 bytes for each of the 4 distinct inputs of each of %d"
                            + " layers: in = %d, %d, %d, %d) and %s for the encoder's factor, more than 3/4 of the %s this JVM may"
                            + " use (-Xmx; QINS_JAVA_OPTS=-Xmx... for the qins launcher), or convert without --calibrate",
                    gib(need), gib(stats), config.layers(), config.inputSize(Projection.QKV), config.inputSize(Projection.O),
                    config.inputSize(Projection.GATE_UP), config.inputSize(Projection.DOWN), gib(need - stats), gib(maxHeap)));
        }
    }

    private static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }
}
