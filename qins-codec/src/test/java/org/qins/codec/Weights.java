package org.qins.codec;

import java.util.SplittableRandom;

/** Test weight generators. */
final class Weights {

    private Weights() {
    }

    /** N(0, sigma) with heavy tails: 2% of weights scaled by 8 (outlier features, as in LLM weights). */
    static float[] heavyTailed(long seed, int n, double sigma) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            double g = gaussian(r) * sigma;
            w[i] = (float) (r.nextDouble() < 0.02 ? g * 8 : g);
        }
        return w;
    }

    /** Magnitudes spread over 2^-60..2^20, some exact zeros, some denormals, random signs. */
    static float[] adversarial(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            float a;
            if (u < 0.05) {
                a = 0f;
            } else if (u < 0.08) {
                a = Float.MIN_VALUE * (1 + r.nextInt(1000));
            } else {
                a = (float) Math.scalb(1 + r.nextDouble(), r.nextInt(-60, 20));
            }
            w[i] = r.nextBoolean() ? -a : a;
        }
        return w;
    }

    static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
