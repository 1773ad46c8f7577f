package org.qins.transformer.model;

import org.qins.transformer.config.RopeConfig;
import org.qins.transformer.config.RopeScaling;

/**
 * RoPE's inverse frequencies per rope type, in float32 step by step as transformers computes them
 * (its tensors are float32; a Python scalar meets a tensor in float32), so that angles at long
 * positions round the same way.
 */
final class RopeFrequencies {

    private static final float TWO_PI = (float) (2 * Math.PI);

    private RopeFrequencies() {
    }

    /** {@code 1 / (ext[j] * theta^(2j/d))}, ext = 1 when null. */
    static float[] standard(RopeConfig c, float[] ext) {
        int d = c.rotaryDim();
        float[] f = new float[d / 2];
        float base = (float) c.theta();
        for (int j = 0; j < f.length; j++) {
            float exponent = (float) (2 * j) / (float) d;
            float pow = (float) Math.pow(base, exponent);
            f[j] = 1.0f / (ext == null ? pow : ext[j] * pow);
        }
        return f;
    }

    /** The frequencies of every call (LongRoPE: those within the original context). */
    static float[] of(RopeConfig c) {
        return switch (c.scaling()) {
            case RopeScaling.None n -> standard(c, null);
            case RopeScaling.Linear l -> linear(standard(c, null), (float) l.factor());
            case RopeScaling.Llama3 l -> llama3(standard(c, null), l);
            case RopeScaling.LongRope l -> standard(c, l.shortFactor());
        };
    }

    /** LongRoPE's frequencies past the original context; null for the other types. */
    static float[] beyondOriginal(RopeConfig c) {
        return c.scaling() instanceof RopeScaling.LongRope l ? standard(c, l.longFactor()) : null;
    }

    private static float[] linear(float[] f, float factor) {
        for (int j = 0; j < f.length; j++) {
            f[j] /= factor;
        }
        return f;
    }

    /**
     * Llama 3.1's rule: with wavelength {@code 2 pi / f}, long wavelengths ({@code > original / low}) are divided
     * by the factor, short ones ({@code < original / high}) kept, those between interpolated with
     * {@code s = (original / wavelength - low) / (high - low)}: {@code (1 - s) f / factor + s f}.
     */
    private static float[] llama3(float[] f, RopeScaling.Llama3 p) {
        float factor = (float) p.factor();
        float low = (float) p.lowFreqFactor();
        float high = (float) p.highFreqFactor();
        float original = p.originalMax();
        float lowWavelength = (float) (p.originalMax() / p.lowFreqFactor());
        float highWavelength = (float) (p.originalMax() / p.highFreqFactor());
        float[] out = new float[f.length];
        for (int j = 0; j < f.length; j++) {
            // transformers: 2 * pi / inv_freq is reciprocal(inv_freq) * 2pi in float32
            float wavelength = (1.0f / f[j]) * TWO_PI;
            float scaled = wavelength > lowWavelength ? f[j] / factor : f[j];
            boolean medium = !(wavelength < highWavelength) && !(wavelength > lowWavelength);
            if (medium) {
                float s = ((1.0f / wavelength) * original - low) / (high - low);
                scaled = (1 - s) * scaled / factor + s * scaled;
            }
            out[j] = scaled;
        }
        return out;
    }
}
