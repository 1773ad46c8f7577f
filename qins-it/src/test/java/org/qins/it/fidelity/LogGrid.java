package org.qins.it.fidelity;

import org.qins.codec.DecodeTable;
import org.qins.codec.QinsFormat;
import org.qins.codec.ScaleFit;

/**
 * The default layout's grid (qins9, clipped at 32 codes per octave, fp16 scales) as the
 * calibration experiments need it: codes nearest in value, and the scale fit with a weight per
 * input. Written from the codec's rules, and checked against the codec: with equal weights it
 * gives the codec's {@code fit=mse} bytes exactly ({@code CalibratedEncoderTest}).
 */
final class LogGrid {

    static final QinsFormat FORMAT = QinsFormat.DEFAULTS.withFit(ScaleFit.MSE);
    static final int MAX_CODE = 255;
    static final int STEPS = 254;
    static final double STEP = FORMAT.sharedStep();
    private static final float[] TABLE = DecodeTable.magnitudes(STEP, MAX_CODE);
    private static final float F16_MIN_NORMAL = 0x1p-14f;
    private static final float F16_MAX = 65504f;

    private LogGrid() {
    }

    /** The decoded magnitude of {@code code} under {@code scale}, as the kernels compute it. */
    static float decode(int code, float scale) {
        return scale * TABLE[code];
    }

    /** The code of {@code a >= 0} nearest in value; {@code logStep = ln(a) / STEP}, {@code top = ln(scale) / STEP}. */
    static int code(double a, double logStep, float scale, double top) {
        if (a == 0) {
            return 0;
        }
        double below = top - logStep;
        if (below > STEPS) {
            return a >= 0.5 * ((double) scale * TABLE[MAX_CODE]) ? MAX_CODE : 0; // BelowRange.NEAREST
        }
        int c = below <= 0 ? 1 : 1 + (int) Math.rint(below);
        double d = (double) scale * TABLE[c];
        int other = a > d ? c - 1 : c + 1;
        if (other >= 1 && other <= MAX_CODE && Math.abs(a - (double) scale * TABLE[other]) < Math.abs(a - d)) {
            return other;
        }
        return c;
    }

    static int code(double a, float scale) {
        return a == 0 ? 0 : code(a, Math.log(a) / STEP, scale, Math.log(scale) / STEP);
    }

    /**
     * The fp16 scale within one code step of {@code max |w[off, off+n)|} minimising
     * {@code sum importance[impOff + i] (|w_i| - decoded_i)^2} ({@code importance} null: all 1), the
     * max's fp16 round-up winning ties; 0 for an all-zero group.
     */
    static float fitScale(double[] w, int off, int n, double[] importance, int impOff) {
        float maxAbs = 0;
        for (int i = 0; i < n; i++) {
            maxAbs = Math.max(maxAbs, (float) Math.abs(w[off + i]));
        }
        if (maxAbs == 0) {
            return 0;
        }
        if (maxAbs < F16_MIN_NORMAL || maxAbs > F16_MAX) {
            throw new IllegalArgumentException("block max " + maxAbs + " does not fit an fp16 scale");
        }
        double[] logSteps = new double[n];
        for (int i = 0; i < n; i++) {
            double a = Math.abs(w[off + i]);
            logSteps[i] = a == 0 ? Double.NaN : Math.log(a) / STEP;
        }
        float first = roundUpF16(maxAbs);
        float best = first;
        double bestErr = error(w, off, n, logSteps, importance, impOff, first);
        double lo = maxAbs * Math.exp(-STEP);
        double hi = maxAbs * Math.exp(STEP);
        float from = (float) Math.max(lo, F16_MIN_NORMAL);
        for (short h = Float.floatToFloat16(roundUpF16(from)); h < 0x7c00; h++) {
            float s = Float.float16ToFloat(h);
            if (s > hi || s > F16_MAX) {
                break;
            }
            double err = s == first ? bestErr : error(w, off, n, logSteps, importance, impOff, s);
            if (err < bestErr) {
                bestErr = err;
                best = s;
            }
        }
        return best;
    }

    private static double error(double[] w, int off, int n, double[] logSteps, double[] importance, int impOff, float s) {
        double top = Math.log(s) / STEP;
        double err = 0;
        for (int i = 0; i < n; i++) {
            double a = Math.abs(w[off + i]);
            if (a != 0) {
                int c = code(a, logSteps[i], s, top);
                double d = c == 0 ? 0 : (double) s * TABLE[c];
                err += (importance == null ? 1 : importance[impOff + i]) * (a - d) * (a - d);
            }
        }
        return err;
    }

    static float roundUpF16(float x) {
        short h = Float.floatToFloat16(x);
        if (Float.float16ToFloat(h) < x) {
            h++;
        }
        return Float.float16ToFloat(h);
    }
}
