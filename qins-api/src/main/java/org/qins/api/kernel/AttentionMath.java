package org.qins.api.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention's two products over a block of queries that share a key/value head, so that each
 * cached row (read, or decoded, once) serves every query of the block: query-key scores, and
 * weighted sums of value rows. Rows are {@code hd} floats; queries lie at a stride of {@code hd}.
 * A KV cache decodes its stored rows into a float tile and calls these; the float cache passes
 * its own arrays. Four queries at a time share each key or value vector load.
 */
public final class AttentionMath {

    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * Short.SIZE));

    private AttentionMath() {
    }

    /**
     * {@code scores[sOff + j * sStride + t] = dot(q[qOff + j * hd ..], k[kOff + t * kStride ..])} for {@code j < nq},
     * {@code t < nk}.
     */
    public static void scores(float[] q, int qOff, int nq, int hd, float[] k, int kOff, int kStride, int nk, float[] scores,
            int sOff, int sStride) {
        int vec = hd / L * L;
        for (int t = 0; t < nk; t++) {
            int kb = kOff + t * kStride;
            int j = 0;
            for (; j + 4 <= nq; j += 4) {
                int q0 = qOff + j * hd;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = FloatVector.zero(F);
                FloatVector a2 = FloatVector.zero(F);
                FloatVector a3 = FloatVector.zero(F);
                for (int c = 0; c < vec; c += L) {
                    FloatVector kv = FloatVector.fromArray(F, k, kb + c);
                    a0 = FloatVector.fromArray(F, q, q0 + c).fma(kv, a0);
                    a1 = FloatVector.fromArray(F, q, q0 + hd + c).fma(kv, a1);
                    a2 = FloatVector.fromArray(F, q, q0 + 2 * hd + c).fma(kv, a2);
                    a3 = FloatVector.fromArray(F, q, q0 + 3 * hd + c).fma(kv, a3);
                }
                float s0 = a0.reduceLanes(VectorOperators.ADD);
                float s1 = a1.reduceLanes(VectorOperators.ADD);
                float s2 = a2.reduceLanes(VectorOperators.ADD);
                float s3 = a3.reduceLanes(VectorOperators.ADD);
                for (int c = vec; c < hd; c++) {
                    float kc = k[kb + c];
                    s0 += q[q0 + c] * kc;
                    s1 += q[q0 + hd + c] * kc;
                    s2 += q[q0 + 2 * hd + c] * kc;
                    s3 += q[q0 + 3 * hd + c] * kc;
                }
                int s = sOff + j * sStride + t;
                scores[s] = s0;
                scores[s + sStride] = s1;
                scores[s + 2 * sStride] = s2;
                scores[s + 3 * sStride] = s3;
            }
            for (; j < nq; j++) {
                scores[sOff + j * sStride + t] = VectorMath.dot(q, qOff + j * hd, k, kb, hd);
            }
        }
    }

    /**
     * {@code out[outOff + j * hd + d] += sum_t w[wOff + j * wStride + t] * v[vOff + t * vStride + d]} for {@code j < nq},
     * {@code t < nk}, {@code d < hd} (accumulates: clear {@code out} first for a fresh sum).
     */
    public static void weightedSum(float[] w, int wOff, int wStride, int nq, float[] v, int vOff, int vStride, int nk, float[] out,
            int outOff, int hd) {
        // Rows a tile at a time, so that the tile's rows stay in L1 while each L-wide column slice of them is summed.
        for (int t0 = 0; t0 < nk; t0 += SUM_TILE) {
            weightedSumTile(w, wOff + t0, wStride, nq, v, vOff + t0 * vStride, vStride, Math.min(SUM_TILE, nk - t0), out, outOff, hd);
        }
    }

    /** Rows per tile of {@link #weightedSum}: 32 rows of 96 floats are 12 KiB. */
    private static final int SUM_TILE = 32;

    private static void weightedSumTile(float[] w, int wOff, int wStride, int nq, float[] v, int vOff, int vStride, int nk,
            float[] out, int outOff, int hd) {
        int vec = hd / L * L;
        for (int c = 0; c < vec; c += L) {
            int j = 0;
            for (; j + 4 <= nq; j += 4) {
                int o = outOff + j * hd + c;
                int w0 = wOff + j * wStride;
                FloatVector a0 = FloatVector.fromArray(F, out, o);
                FloatVector a1 = FloatVector.fromArray(F, out, o + hd);
                FloatVector a2 = FloatVector.fromArray(F, out, o + 2 * hd);
                FloatVector a3 = FloatVector.fromArray(F, out, o + 3 * hd);
                for (int t = 0; t < nk; t++) {
                    FloatVector vv = FloatVector.fromArray(F, v, vOff + t * vStride + c);
                    a0 = vv.fma(FloatVector.broadcast(F, w[w0 + t]), a0);
                    a1 = vv.fma(FloatVector.broadcast(F, w[w0 + wStride + t]), a1);
                    a2 = vv.fma(FloatVector.broadcast(F, w[w0 + 2 * wStride + t]), a2);
                    a3 = vv.fma(FloatVector.broadcast(F, w[w0 + 3 * wStride + t]), a3);
                }
                a0.intoArray(out, o);
                a1.intoArray(out, o + hd);
                a2.intoArray(out, o + 2 * hd);
                a3.intoArray(out, o + 3 * hd);
            }
            for (; j < nq; j++) {
                int o = outOff + j * hd + c;
                int w0 = wOff + j * wStride;
                FloatVector a0 = FloatVector.fromArray(F, out, o);
                FloatVector a1 = FloatVector.zero(F); // a second chain: one query's sum is latency-bound otherwise
                int t = 0;
                for (; t + 2 <= nk; t += 2) {
                    a0 = FloatVector.fromArray(F, v, vOff + t * vStride + c).fma(FloatVector.broadcast(F, w[w0 + t]), a0);
                    a1 = FloatVector.fromArray(F, v, vOff + (t + 1) * vStride + c).fma(FloatVector.broadcast(F, w[w0 + t + 1]), a1);
                }
                if (t < nk) {
                    a0 = FloatVector.fromArray(F, v, vOff + t * vStride + c).fma(FloatVector.broadcast(F, w[w0 + t]), a0);
                }
                a0.add(a1).intoArray(out, o);
            }
        }
        for (int c = vec; c < hd; c++) {
            for (int j = 0; j < nq; j++) {
                float s = 0;
                for (int t = 0; t < nk; t++) {
                    s += w[wOff + j * wStride + t] * v[vOff + t * vStride + c];
                }
                out[outOff + j * hd + c] += s;
            }
        }
    }

    /**
     * Widens {@code n} IEEE half-precision values to float32 ({@code dst[dOff + i] = float16ToFloat(src[sOff + i])}),
     * a vector at a time: the exponent and mantissa bits shifted into place and scaled by 2^112, which is exact for
     * normal and subnormal halves and zero; infinities and NaN (which a cache of finite keys does not hold) come out as
     * large finite values instead.
     */
    public static void halfToFloat(short[] src, int sOff, float[] dst, int dOff, int n) {
        int i = 0;
        int bound = n - L;
        for (; i <= bound; i += L) {
            IntVector h = (IntVector) ShortVector.fromArray(S, src, sOff + i).convertShape(VectorOperators.S2I, I, 0);
            IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
            FloatVector mag = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
            mag.reinterpretAsInts().or(sign).reinterpretAsFloats().intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = Float.float16ToFloat(src[sOff + i]);
        }
    }
}
