package org.qins.transformer.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits. Temperature 0 means greedy (ties go to the lowest id).
 * Otherwise softmax(logits / T), restricted to the smallest set of most likely tokens whose mass
 * reaches top-p, drawn with a seeded {@link SplittableRandom} so that a seed reproduces a run.
 * Buffers are allocated once per vocabulary size.
 */
public final class Sampler {

    private final float temperature;
    private final float topP;
    private final SplittableRandom random;
    private double[] probs = new double[0];
    private long[] order = new long[0];

    public Sampler(float temperature, float topP, long seed) {
        if (temperature < 0 || Float.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    public static Sampler greedy() {
        return new Sampler(0f, 1f, 0L);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** Index of the largest of the first {@code n} logits; the lowest index among equals. */
    public static int argmax(float[] logits, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The next token from the first {@code vocab} logits. */
    public int sample(float[] logits, int vocab) {
        if (isGreedy()) {
            return argmax(logits, vocab);
        }
        if (probs.length < vocab) {
            probs = new double[vocab];
            order = new long[vocab];
        }
        float max = logits[argmax(logits, vocab)];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            double p = Math.exp((logits[i] - max) / (double) temperature);
            probs[i] = p;
            sum += p;
        }
        // Sort by probability descending, then id ascending: a positive float's bits order like the float.
        for (int i = 0; i < vocab; i++) {
            probs[i] /= sum;
            order[i] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits((float) probs[i])) << 32) | i;
        }
        Arrays.sort(order, 0, vocab);
        double kept = 0;
        int n = 0;
        while (n < vocab && (n == 0 || kept < topP)) {
            kept += probs[(int) order[n]];
            n++;
        }
        double u = random.nextDouble() * kept;
        for (int k = 0; k < n; k++) {
            int id = (int) order[k];
            u -= probs[id];
            if (u < 0) {
                return id;
            }
        }
        return (int) order[n - 1];
    }
}
