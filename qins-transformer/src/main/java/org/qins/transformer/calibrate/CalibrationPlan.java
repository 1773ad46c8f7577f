package org.qins.transformer.calibrate;

import java.nio.file.Path;

/**
 * What the float model runs over during calibration: either {@code samples} texts of its own,
 * each {@code length} tokens from BOS (sampled at temperature 1 with seeds {@code seed, seed+1, ...};
 * nothing to supply), or a text file tokenized by the model's tokenizer and cut into pieces of
 * {@code length} tokens (every piece is used).
 *
 * @param text    the text file, or null for generated samples
 * @param samples generated samples (0 with a text)
 * @param length  tokens per sample or piece
 * @param seed    the first sample's seed (generated samples)
 */
public record CalibrationPlan(Path text, int samples, int length, long seed) {

    /** The generated samples' defaults: 8 of 128 tokens (about 1,000 inputs per layer), first seed 1000. */
    public static final int DEFAULT_SAMPLES = 8;
    public static final int DEFAULT_LENGTH = 128;
    public static final long DEFAULT_SEED = 1000;

    public CalibrationPlan {
        if (length < 1) {
            throw new IllegalArgumentException("calibration length must be at least 1 token, got " + length);
        }
        if (text == null && samples < 1) {
            throw new IllegalArgumentException("calibration needs at least 1 sample, got " + samples);
        }
        if (text != null && samples != 0) {
            throw new IllegalArgumentException("a calibration text decides the number of samples itself; got " + samples);
        }
    }

    public static CalibrationPlan generated(int samples, int length, long seed) {
        return new CalibrationPlan(null, samples, length, seed);
    }

    public static CalibrationPlan fromText(Path text, int length) {
        return new CalibrationPlan(text, 0, length, 0);
    }

    public static CalibrationPlan defaults() {
        return generated(DEFAULT_SAMPLES, DEFAULT_LENGTH, DEFAULT_SEED);
    }

    /** One line for logs and the checkpoint's metadata. */
    public String describe() {
        return text != null ? "text " + text.getFileName() + " in pieces of " + length + " tokens"
                : samples + " samples x " + length + " tokens generated from BOS, seeds " + seed + ".." + (seed + samples - 1);
    }
}
