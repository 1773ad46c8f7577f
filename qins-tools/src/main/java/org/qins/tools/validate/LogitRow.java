package org.qins.tools.validate;

/**
 * One position of an {@code llm-ref/1} file: the top-k ids with their logits (descending, ties by
 * lower id) and the log-sum-exp over the whole vocabulary.
 */
public record LogitRow(int[] ids, double[] logits, double lse) {

    public int size() {
        return ids.length;
    }

    /** Rounds the logits and lse to {@code decimals} places, as the file stores them. */
    public LogitRow rounded(int decimals) {
        double[] l = new double[logits.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = round(logits[i], decimals);
        }
        return new LogitRow(ids, l, round(lse, decimals));
    }

    static double round(double v, int decimals) {
        return new java.math.BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_EVEN).doubleValue();
    }

    /**
     * The top {@code k} of the first {@code vocab} floats at {@code off}, and their logsumexp
     * computed in double; exact (not rounded).
     */
    public static LogitRow of(float[] logits, int off, int vocab, int k) {
        k = Math.min(k, vocab);
        int[] ids = new int[k];
        double[] vals = new double[k];
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            float v = logits[off + i];
            if (n == k && !(v > vals[k - 1])) {
                continue; // not better than the current k-th (ties keep the lower id already in)
            }
            int j = n < k ? n++ : k - 1;
            while (j > 0 && v > vals[j - 1]) {
                ids[j] = ids[j - 1];
                vals[j] = vals[j - 1];
                j--;
            }
            ids[j] = i;
            vals[j] = v;
        }
        double max = vals[0];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[off + i] - max);
        }
        return new LogitRow(ids, vals, max + Math.log(sum));
    }
}
