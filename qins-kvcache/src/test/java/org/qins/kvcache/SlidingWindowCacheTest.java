package org.qins.kvcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.api.KvCache;
import org.qins.api.KvCacheProvider;
import org.qins.api.KvCacheSpec;
import org.qins.fp.FloatKvCacheProvider;

/**
 * A cache told a sliding window keeps only the window (a ring of slots): it answers for the last
 * {@code window} positions exactly as a cache holding every position does, its resident bytes stop
 * growing at the window, and positions already overwritten are refused.
 */
class SlidingWindowCacheTest {

    static final int WINDOW = 16;
    static final int TOTAL = 100;
    static final KvCacheSpec FULL = new KvCacheSpec(2, 2, 12, 150);
    static final KvCacheSpec SLIDING = new KvCacheSpec(2, 2, 12, 150, WINDOW);

    static KvCacheProvider provider(String name) {
        return name.equals("qins") ? new QinsKvCacheProvider() : new FloatKvCacheProvider();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fp32", "qins"})
    void answersForTheWindowAsAFullCacheDoesAndStaysFlat(String name) {
        KvCache full = provider(name).create(FULL);
        KvCache ring = provider(name).create(SLIDING);
        assertThat(SLIDING.slots()).isEqualTo(WINDOW);
        SplittableRandom r = new SplittableRandom(5);
        int row = FULL.rowSize();
        int hd = FULL.headDim();
        long atWindow = 0;
        for (int t = 0; t < TOTAL; t++) {
            for (int l = 0; l < FULL.layers(); l++) {
                float[] k = QinsKvCacheTest.gaussian(r, row);
                float[] v = QinsKvCacheTest.gaussian(r, row);
                full.store(l, t, k, 0, v, 0);
                ring.store(l, t, k, 0, v, 0);
            }
            int from = Math.max(0, t - WINDOW + 1);
            int n = t + 1 - from;
            float[] q = QinsKvCacheTest.gaussian(r, hd);
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) r.nextDouble();
            }
            for (int l = 0; l < FULL.layers(); l++) {
                for (int h = 0; h < FULL.kvHeads(); h++) {
                    float[] sf = new float[n];
                    float[] sr = new float[n];
                    full.keyScores(l, h, q, 0, from, t + 1, sf, 0);
                    ring.keyScores(l, h, q, 0, from, t + 1, sr, 0);
                    assertThat(sr).as("%s scores at %d", name, t).containsExactly(sf);
                    float[] of = new float[hd];
                    float[] or = new float[hd];
                    full.valueSum(l, h, w, 0, from, t + 1, of, 0);
                    ring.valueSum(l, h, w, 0, from, t + 1, or, 0);
                    assertThat(or).as("%s values at %d", name, t).containsExactly(of);
                }
            }
            if (t + 1 == WINDOW) {
                atWindow = ring.residentBytes();
            }
            if (t + 1 >= WINDOW) {
                assertThat(ring.residentBytes()).as("resident bytes after %d positions", t + 1).isEqualTo(atWindow);
            }
        }
        assertThat(atWindow).isEqualTo(WINDOW * ring.bytesPerToken());
        assertThat(full.residentBytes()).isGreaterThanOrEqualTo(TOTAL * full.bytesPerToken());
        float[] scores = new float[WINDOW + 1];
        assertThatThrownBy(() -> ring.keyScores(0, 0, new float[hd], 0, TOTAL - WINDOW - 1, TOTAL, scores, 0))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("not held");
        assertThatThrownBy(() -> ring.valueSum(0, 0, scores, 0, 0, 1, new float[hd], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
