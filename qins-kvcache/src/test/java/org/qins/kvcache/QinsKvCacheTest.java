package org.qins.kvcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qins.api.KvCache;
import org.qins.api.KvCacheSpec;
import org.qins.fp.FloatKvCacheProvider;

class QinsKvCacheTest {

    static final KvCacheSpec SPEC = new KvCacheSpec(2, 3, 20, 150); // head dim 20: a partial sign byte
    static final double STEP = QinsKvCacheProvider.V_FORMAT.sharedStep();

    static float[] gaussian(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        return v;
    }

    @Test
    void keyScoresWithinFp16ErrorAndValueSumWithinTheQinsBound() {
        KvCache q = new QinsKvCacheProvider().create(SPEC);
        KvCache f = new FloatKvCacheProvider().create(SPEC);
        SplittableRandom r = new SplittableRandom(11);
        int row = SPEC.rowSize();
        int hd = SPEC.headDim();
        int length = 137;
        float[][][] vs = new float[SPEC.layers()][length][];
        float[][][] ks = new float[SPEC.layers()][length][];
        for (int l = 0; l < SPEC.layers(); l++) {
            for (int t = 0; t < length; t++) {
                ks[l][t] = gaussian(r, row + 5);
                vs[l][t] = gaussian(r, row + 5);
                q.store(l, t, ks[l][t], 5, vs[l][t], 5);
                f.store(l, t, ks[l][t], 5, vs[l][t], 5);
            }
        }
        float[] query = gaussian(r, hd + 2);
        float[] weights = new float[length + 1];
        for (int t = 0; t <= length; t++) {
            weights[t] = (float) r.nextDouble();
        }
        for (int l = 0; l < SPEC.layers(); l++) {
            for (int h = 0; h < SPEC.kvHeads(); h++) {
                float[] sq = new float[length];
                float[] sf = new float[length];
                q.keyScores(l, h, query, 2, 0, length, sq, 0);
                f.keyScores(l, h, query, 2, 0, length, sf, 0);
                for (int t = 0; t < length; t++) {
                    double mag = 0;
                    for (int d = 0; d < hd; d++) {
                        mag += Math.abs(query[2 + d] * ks[l][t][5 + h * hd + d]);
                    }
                    assertThat((double) sq[t]).isCloseTo(sf[t], org.assertj.core.data.Offset.offset(mag * 0x1p-11 + 1e-5));
                }
                float[] oq = new float[hd + 1];
                float[] of = new float[hd + 1];
                q.valueSum(l, h, weights, 1, 0, length, oq, 1);
                f.valueSum(l, h, weights, 1, 0, length, of, 1);
                for (int d = 0; d < hd; d++) {
                    double bound = 1e-5;
                    for (int t = 0; t < length; t++) {
                        float[] v = vs[l][t];
                        double maxAbs = 0;
                        for (int e = 0; e < hd; e++) {
                            maxAbs = Math.max(maxAbs, Math.abs(v[5 + h * hd + e]));
                        }
                        double a = Math.abs(v[5 + h * hd + d]);
                        // Half a log step inside the range; below it, at most half the smallest magnitude.
                        double err = Math.max(a * Math.expm1(STEP / 2), 0.5 * maxAbs * Math.pow(2, -QinsKvCacheProvider.V_FORMAT.widthOctaves()));
                        bound += weights[1 + t] * (err + 1e-6 * a);
                    }
                    assertThat((double) oq[1 + d]).as("layer %d head %d dim %d", l, h, d).isCloseTo(of[1 + d], org.assertj.core.data.Offset.offset(bound));
                }
                assertThat(oq[0]).isZero();
            }
        }
    }

    @Test
    void bytesPerTokenIsTheTrueLayoutSizeAndStorageGrowsToCapacity() {
        KvCache q = new QinsKvCacheProvider().create(SPEC);
        // K fp16 (2 B) + V code (1 B) per element, 3 sign bytes and a 4-byte scale per head.
        long perToken = SPEC.layers() * SPEC.kvHeads() * (2L * 20 + 20 + 3 + 4);
        assertThat(q.bytesPerToken()).isEqualTo(perToken);
        assertThat(q.residentBytes()).isZero();
        float[] x = new float[SPEC.rowSize()];
        x[0] = 1;
        for (int l = 0; l < SPEC.layers(); l++) {
            q.store(l, 0, x, 0, x, 0);
        }
        assertThat(q.residentBytes()).isEqualTo(QinsKvCache.CHUNK * perToken);
        for (int l = 0; l < SPEC.layers(); l++) {
            q.store(l, SPEC.capacity() - 1, x, 0, x, 0);
        }
        assertThat(q.residentBytes()).isEqualTo(SPEC.capacity() * perToken);
        assertThat(q.bytesPerToken()).isLessThan(new FloatKvCacheProvider().create(SPEC).bytesPerToken() / 2);
        assertThatThrownBy(() -> q.store(0, SPEC.capacity(), x, 0, x, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void zeroAndSingleMagnitudeValuesAreExact() {
        KvCache q = new QinsKvCacheProvider().create(new KvCacheSpec(1, 1, 8, 4));
        float[] v = {0.5f, -0.5f, 0f, 0.5f, 0f, -0.5f, 0.5f, 0.5f};
        q.store(0, 0, v, 0, v, 0);
        float[] out = new float[8];
        q.valueSum(0, 0, new float[] {1f}, 0, 0, 1, out, 0);
        assertThat(out).containsExactly(v);
        float[] nan = v.clone();
        nan[3] = Float.NaN;
        assertThatThrownBy(() -> q.store(0, 1, v, 0, nan, 0)).hasMessageContaining("kv-cache values");
    }
}
