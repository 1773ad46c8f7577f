package org.qins.codec;

/**
 * Magnitude tables for a shared log step. A code {@code c >= 1} decodes to
 * {@code scale * exp(-(c-1) step)}, i.e. {@code exp(log_max - (c-1)/steps * (log_max-log_min))},
 * which is the codec formula written from the top of the range (so code 1 gives the scale exactly).
 *
 * <p>When {@code ln2/step} is a power of two {@code p} ("p codes per octave"),
 * {@code exp(-(c-1) step) = 2^-(c >> log2 p) * M[c & (p-1)]} with a p-entry mantissa table
 * {@code M[j] = exp(-(j-1) step)}: the vector kernels do one table permute and one exponent
 * subtraction per weight. The 256-entry table is built the same way, so every path decodes to
 * the same floats.
 */
public final class DecodeTable {

    static final double LN2 = Math.log(2);

    private DecodeTable() {
    }

    /** Codes per octave when {@code ln2/step} is a power of two in [1, 256], else 0. */
    public static int codesPerOctave(double step) {
        if (!(step > 0)) {
            return 0;
        }
        double p = LN2 / step;
        long r = Math.round(p);
        return r >= 1 && r <= 256 && Long.bitCount(r) == 1 && Math.abs(p - r) <= 1e-9 * r ? (int) r : 0;
    }

    /** {@code M[j] = exp(-(j-1) step)} for {@code j < p}: M[1] = 1, M[0] = 2^(1/p). */
    public static float[] mantissas(int p, double step) {
        float[] m = new float[p];
        for (int j = 0; j < p; j++) {
            m[j] = (float) Math.exp(-(j - 1) * step);
        }
        return m;
    }

    /** {@code t[c] = exp(-(c-1) step)} for {@code 1 <= c <= maxCode}, {@code t[0] = 0}; 256 entries. */
    public static float[] magnitudes(double step, int maxCode) {
        float[] t = new float[256];
        int p = codesPerOctave(step);
        float[] m = p > 0 ? mantissas(p, step) : null;
        int shift = p > 0 ? Integer.numberOfTrailingZeros(p) : 0;
        for (int c = 1; c <= maxCode; c++) {
            t[c] = m != null ? Math.scalb(m[c & (p - 1)], -(c >>> shift)) : (float) Math.exp(-(c - 1) * step);
        }
        return t;
    }
}
