package org.qins.transformer.config;

/**
 * How a family stretches RoPE's frequencies beyond its training length, by transformers'
 * {@code rope_type}. The frequencies themselves are computed in {@code model.RopeFrequencies}.
 */
public sealed interface RopeScaling {

    /** The {@code rope_type} name. */
    String type();

    /** {@code default}: {@code inv_freq[j] = 1 / theta^(2j/d)}. */
    record None() implements RopeScaling {
        @Override
        public String type() {
            return "default";
        }
    }

    /** {@code linear}: every frequency divided by {@code factor}. */
    record Linear(double factor) implements RopeScaling {
        @Override
        public String type() {
            return "linear";
        }
    }

    /**
     * {@code llama3}: wavelengths above {@code originalMax / lowFreqFactor} divided by {@code factor}, below
     * {@code originalMax / highFreqFactor} kept, smoothly interpolated in between; the same at every length.
     */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMax) implements RopeScaling {
        @Override
        public String type() {
            return "llama3";
        }
    }

    /**
     * {@code longrope}: per-frequency divisors, {@code shortFactor} while a forward call's largest position + 1
     * is at most {@code originalMax}, {@code longFactor} beyond.
     */
    record LongRope(float[] shortFactor, float[] longFactor, int originalMax) implements RopeScaling {
        @Override
        public String type() {
            return "longrope";
        }
    }
}
