package org.qins.codec;

/**
 * The scale fit of a clipped format ({@link ScaleFit#MSE}): codes nearest in value, and the
 * scale, among the candidates within one code step either side of the group's largest
 * magnitude, that gives the least (optionally weighted) squared error. Public so that calibrated
 * encoders (per-input weights, error compensation) fit with the same rules; decoding never needs it.
 *
 * <p>Candidates are every fp16 value there (about 45 to 90), or {@value #F32_POINTS} points per step
 * for f32 scales. They are swept in ascending order: a weight's code only grows with the scale
 * (about two changes per weight over the candidates), so the code changes are sorted once and the
 * error of each candidate is {@code A - 2sB + s^2 C} with running sums over the current codes.
 */
public final class BlockFit {

    /** f32 scales: candidate points per code step. */
    static final int F32_POINTS = 64;
    private static final float F16_MIN_NORMAL = 0x1p-14f;
    private static final float F16_MAX = 65504f;

    private final int maxCode;
    private final double step;
    /** {@code t[c]} = decoded magnitude of code c at scale 1, {@code t[maxCode + 1] = 0} (the zero code). */
    private final double[] t;
    /** {@code mid[c]}: a weight takes code c at scale s when {@code a >= s mid[c]} and no smaller code does. */
    private final double[] mid;
    /** {@code 1 / mid[c]}, infinite where a weight never leaves code c. */
    private final double[] invMid;
    private final float[] table;

    /**
     * Per-thread work arrays of {@link #fitScale}, reused across groups: a fit runs once per block of 32 weights, and
     * fresh arrays there were about 1.5 KB of garbage per block (45 bytes per weight encoded).
     */
    private static final class Scratch {
        private int[] codes = new int[64];
        private long[] events = new long[256];

        int[] codes(int n) {
            if (codes.length < n) {
                codes = new int[n];
            }
            return codes;
        }

        long[] events(int n) {
            if (events.length < n) {
                events = new long[n];
            }
            return events;
        }

        long[] grow(int n) {
            events = java.util.Arrays.copyOf(events, n);
            return events;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** {@code format} must be clipped (one shared width). */
    public BlockFit(QinsFormat format) {
        if (!format.policy().sharedWidth()) {
            throw new IllegalArgumentException("a scale fit needs a clipped format, got " + format);
        }
        this.maxCode = format.layout().maxCode();
        this.step = format.sharedStep();
        this.table = DecodeTable.magnitudes(step, maxCode);
        this.t = new double[maxCode + 2];
        this.mid = new double[maxCode + 2];
        for (int c = 1; c <= maxCode; c++) {
            t[c] = table[c];
        }
        for (int c = 1; c < maxCode; c++) {
            mid[c] = (t[c] + t[c + 1]) / 2;
        }
        // Below the smallest code: BelowRange decides between it and zero.
        mid[maxCode] = switch (format.below()) {
            case ZERO -> t[maxCode];
            case CLAMP -> 0;
            case NEAREST -> t[maxCode] / 2;
        };
        mid[maxCode + 1] = Double.NEGATIVE_INFINITY;
        this.invMid = new double[maxCode + 2];
        for (int c = 1; c <= maxCode + 1; c++) {
            invMid[c] = mid[c] > 0 ? 1 / mid[c] : Double.POSITIVE_INFINITY;
        }
    }

    /** The decoded magnitude of {@code code} at {@code scale}, as every kernel computes it. */
    public float decode(int code, float scale) {
        return scale * table[code];
    }

    /** The code of magnitude {@code a >= 0} at {@code scale > 0} whose decoded value is nearest (0 for zero). */
    public int code(double a, float scale) {
        if (a == 0) {
            return 0;
        }
        // The code at or just above a in value, then the next one if a is below their midpoint; near a
        // grid point the log may land one code off, and the comparison still picks the nearest.
        double pos = Math.log(scale / a) / step;
        int c = pos <= 0 ? 1 : pos >= maxCode ? maxCode : 1 + (int) pos;
        c += a < scale * mid[c] ? 1 : 0;
        return c > maxCode ? 0 : c;
    }

    /**
     * The fitted scale of magnitudes {@code a[0, n)} (all {@code >= 0}), weights {@code importance[0, n)}
     * (null: all 1); {@code f16} restricts candidates to fp16 values. The max's own scale (rounded up
     * to fp16) wins ties, so the fit is never worse than taking the max. 0 for an all-zero group.
     */
    public float fitScale(double[] a, int n, double[] importance, boolean f16) {
        float maxAbs = 0;
        for (int i = 0; i < n; i++) {
            maxAbs = Math.max(maxAbs, (float) a[i]);
        }
        if (maxAbs == 0) {
            return 0;
        }
        float first = f16 ? QinsEncoder.roundUpF16(maxAbs) : maxAbs;
        double lo = maxAbs * Math.exp(-step);
        double hi = maxAbs * Math.exp(step);
        float start;
        if (f16) {
            start = Math.min(first, QinsEncoder.roundUpF16((float) Math.max(lo, F16_MIN_NORMAL)));
        } else {
            start = (float) (maxAbs * Math.exp(-step));
        }
        // Codes and running sums at the first candidate; every later code change as an event (the
        // scale a / mid[c] above which a weight leaves code c, as float bits << 32 | weight index), sorted.
        Scratch scratch = SCRATCH.get();
        int[] code = scratch.codes(n);
        long[] events = scratch.events(4 * n);
        int count = 0;
        double sumA = 0;
        double sumB = 0;
        double sumC = 0;
        for (int i = 0; i < n; i++) {
            if (a[i] == 0) {
                code[i] = maxCode + 1;
                continue;
            }
            double wt = importance == null ? 1 : importance[i];
            int c = code(a[i], start);
            c = c == 0 ? maxCode + 1 : c;
            code[i] = c;
            sumA += wt * a[i] * a[i];
            sumB += wt * a[i] * t[c];
            sumC += wt * t[c] * t[c];
            for (double th = a[i] * invMid[c]; th <= hi; th = a[i] * invMid[++c]) {
                if (count == events.length) {
                    events = scratch.grow(2 * count);
                }
                events[count++] = (long) Float.floatToRawIntBits((float) th) << 32 | i;
            }
        }
        java.util.Arrays.sort(events, 0, count);
        int e = 0;
        float best = first;
        double bestErr = Double.POSITIVE_INFINITY;
        int k = 0;
        for (float s = start; ; ) {
            for (; e < count && Float.intBitsToFloat((int) (events[e] >>> 32)) < s; e++) {
                int i = (int) events[e];
                double wt = importance == null ? 1 : importance[i];
                int c = code[i];
                sumB -= wt * a[i] * t[c];
                sumC -= wt * t[c] * t[c];
                code[i] = ++c;
                sumB += wt * a[i] * t[c];
                sumC += wt * t[c] * t[c];
            }
            double err = sumA - 2 * s * sumB + (double) s * s * sumC;
            if (err < bestErr || s == first && err <= bestErr + 1e-12 * sumA) {
                bestErr = err;
                best = s;
            }
            // Next candidate, ascending.
            if (f16) {
                short h = (short) (Float.floatToFloat16(s) + 1);
                if (h >= 0x7c00) {
                    break;
                }
                s = Float.float16ToFloat(h);
                if (s > hi || s > F16_MAX) {
                    break;
                }
            } else {
                if (++k > 2 * F32_POINTS) {
                    break;
                }
                s = (float) (maxAbs * Math.exp(step * (k - F32_POINTS) / F32_POINTS));
            }
        }
        return best;
    }
}
