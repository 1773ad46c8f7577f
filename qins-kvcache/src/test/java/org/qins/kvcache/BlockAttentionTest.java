package org.qins.kvcache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qins.api.KvCache;
import org.qins.api.KvCacheSpec;

/**
 * The block methods (several queries of one KV head at once, each cached row decoded once) give
 * what the one-query methods give, for both caches, full and in a ring that has wrapped.
 */
class BlockAttentionTest {

    @ParameterizedTest
    @CsvSource({"fp32,96,0", "qins,96,0", "fp32,20,0", "qins,20,0", "fp32,96,40", "qins,96,40", "qins,12,33"})
    void aBlockOfQueriesGetsWhatEachQueryGetsAlone(String name, int hd, int window) {
        int total = 150;
        KvCacheSpec spec = window == 0 ? new KvCacheSpec(2, 3, hd, total) : new KvCacheSpec(2, 3, hd, total, window);
        KvCache cache = SlidingWindowCacheTest.provider(name).create(spec);
        SplittableRandom r = new SplittableRandom(hd + window);
        for (int t = 0; t < total; t++) {
            for (int l = 0; l < 2; l++) {
                cache.store(l, t, QinsKvCacheTest.gaussian(r, spec.rowSize()), 0, QinsKvCacheTest.gaussian(r, spec.rowSize()), 0);
            }
        }
        int from = window == 0 ? 3 : total - window;
        int to = total;
        int n = to - from;
        int nq = 6;
        float[] q = QinsKvCacheTest.gaussian(r, 1 + nq * hd);
        float[] w = new float[nq * (n + 2)];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextDouble();
        }
        float[] block = new float[nq * (n + 2)];
        cache.keyScores(1, 2, q, 1, nq, from, to, block, 0, n + 2);
        float[] blockOut = new float[2 + nq * hd];
        cache.valueSum(1, 2, w, 0, n + 2, nq, from, to, blockOut, 2);
        for (int j = 0; j < nq; j++) {
            float[] one = new float[n];
            cache.keyScores(1, 2, q, 1 + j * hd, from, to, one, 0);
            float[] oneOut = new float[hd];
            cache.valueSum(1, 2, w, j * (n + 2), from, to, oneOut, 0);
            for (int t = 0; t < n; t++) {
                assertThat(block[j * (n + 2) + t]).as("%s score %d %d", name, j, t)
                        .isCloseTo(one[t], org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(one[t]))));
            }
            for (int d = 0; d < hd; d++) {
                assertThat(blockOut[2 + j * hd + d]).as("%s sum %d %d", name, j, d)
                        .isCloseTo(oneOut[d], org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(oneOut[d]))));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theBlockDecodeOfValuesIsTheTableExactly() {
        int hd = 96 + 5; // six vectors of 16 and a scalar tail
        KvCacheSpec spec = new KvCacheSpec(1, 2, hd, 40);
        KvCache cache = new QinsKvCacheProvider().create(spec);
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 40; t++) {
            float[] v = QinsKvCacheTest.gaussian(r, spec.rowSize());
            v[7] = 0f; // a zero code
            cache.store(0, t, QinsKvCacheTest.gaussian(r, spec.rowSize()), 0, v, 0);
        }
        for (int t = 0; t < 40; t++) {
            float[] w = new float[40];
            w[t] = 1f;
            float[] one = new float[hd];
            float[] block = new float[hd];
            cache.valueSum(0, 1, w, 0, 0, 40, one, 0);
            cache.valueSum(0, 1, w, 0, 40, 1, 0, 40, block, 0);
            assertThat(block).as("position %d", t).containsExactly(one);
        }
    }
}
