package org.qins.it.fidelity;

import org.qins.codec.BlockFit;
import org.qins.codec.QinsFormat;
import org.qins.codec.ScaleFit;

/** The default layout's grid (qins9, clipped at 32 codes per octave, fp16 scales, {@code fit=mse}) for the calibrated encoders. */
final class LogGrid {

    static final QinsFormat FORMAT = QinsFormat.DEFAULTS.withFit(ScaleFit.MSE);
    private static final BlockFit FIT = new BlockFit(FORMAT);

    private LogGrid() {
    }

    static float decode(int code, float scale) {
        return FIT.decode(code, scale);
    }

    static int code(double a, float scale) {
        return FIT.code(a, scale);
    }

    /** The fitted fp16 scale of {@code |w[off, off+n)|}, errors weighted by {@code importance[impOff, +n)} (null: plain). */
    static float fitScale(double[] w, int off, int n, double[] importance, int impOff) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = Math.abs(w[off + i]);
        }
        double[] wt = null;
        if (importance != null) {
            wt = new double[n];
            System.arraycopy(importance, impOff, wt, 0, n);
        }
        return FIT.fitScale(a, n, wt, true);
    }
}
