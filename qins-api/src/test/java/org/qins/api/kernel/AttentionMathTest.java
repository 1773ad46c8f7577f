package org.qins.api.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The block kernels against plain double-precision loops, for head sizes with and without a scalar tail. */
class AttentionMathTest {

    @org.junit.jupiter.api.Test
    void everyFiniteHalfWidensExactly() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        float[] out = new float[all.length + 3];
        AttentionMath.halfToFloat(all, 0, out, 3, all.length);
        for (int i = 0; i < all.length; i++) {
            float expected = Float.float16ToFloat(all[i]);
            if (Float.isFinite(expected)) {
                assertThat(Float.floatToRawIntBits(out[i + 3])).as("half 0x%04x", i).isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    private static float[] gaussian(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {96, 128, 20, 7})
    void blockScoresAndSumsAreTheDotProductsAndWeightedRows(int hd) {
        SplittableRandom r = new SplittableRandom(hd);
        int nq = 7; // a block of four and three single queries
        int nk = 37;
        int kStride = hd * 3 + 5; // rows of another layout, at an offset
        float[] q = gaussian(r, 2 + nq * hd);
        float[] k = gaussian(r, 11 + nk * kStride);
        int sStride = nk + 4;
        float[] scores = new float[1 + nq * sStride];
        AttentionMath.scores(q, 2, nq, hd, k, 11, kStride, nk, scores, 1, sStride);
        for (int j = 0; j < nq; j++) {
            for (int t = 0; t < nk; t++) {
                double e = 0;
                for (int d = 0; d < hd; d++) {
                    e += (double) q[2 + j * hd + d] * k[11 + t * kStride + d];
                }
                assertThat((double) scores[1 + j * sStride + t]).as("score %d %d", j, t).isCloseTo(e, org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(hd)));
            }
        }
        float[] w = gaussian(r, 3 + nq * sStride);
        float[] out = gaussian(r, 5 + nq * hd); // accumulates onto what is there
        float[] before = out.clone();
        AttentionMath.weightedSum(w, 3, sStride, nq, k, 11, kStride, nk, out, 5, hd);
        for (int j = 0; j < nq; j++) {
            for (int d = 0; d < hd; d++) {
                double e = before[5 + j * hd + d];
                for (int t = 0; t < nk; t++) {
                    e += (double) w[3 + j * sStride + t] * k[11 + t * kStride + d];
                }
                assertThat((double) out[5 + j * hd + d]).as("sum %d %d", j, d).isCloseTo(e, org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(nk)));
            }
        }
    }
}
