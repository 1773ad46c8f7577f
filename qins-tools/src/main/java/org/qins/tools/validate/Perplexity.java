package org.qins.tools.validate;

import org.qins.api.KvCacheProvider;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;

/**
 * Teacher-forced perplexity over a token sequence: the text is cut into consecutive chunks of at
 * most {@code context} tokens (no overlap), each chunk runs from an empty cache, and every token
 * after a chunk's first is scored: {@code exp(mean NLL)}. Chunks are fed in batches of
 * {@value #BATCH} tokens so that the logits buffer stays small.
 *
 * @param tokens scored tokens
 * @param nll    mean negative log-likelihood in nats
 */
public record Perplexity(long tokens, double nll) {

    static final int BATCH = 64;

    public double perplexity() {
        return Math.exp(nll);
    }

    public static Perplexity of(CausalLm model, KvCacheProvider kv, int[] ids, int context) {
        if (context < 2) {
            throw new IllegalArgumentException("context must be >= 2, got " + context);
        }
        int vocab = model.config().vocabSize();
        double sum = 0;
        long n = 0;
        for (int start = 0; start + 1 < ids.length; start += context) {
            int len = Math.min(context, ids.length - start);
            Sequence seq = model.newSequence(kv, len);
            for (int b = 0; b < len; b += BATCH) {
                int m = Math.min(BATCH, len - b);
                int[] batch = java.util.Arrays.copyOfRange(ids, start + b, start + b + m);
                float[] all = seq.prefillAll(batch);
                for (int t = 0; t < m; t++) {
                    int next = b + t + 1;
                    if (next >= len) {
                        break;
                    }
                    sum += nll(all, t * vocab, vocab, ids[start + next]);
                    n++;
                }
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("the text has " + ids.length + " tokens: need at least 2 for a perplexity");
        }
        return new Perplexity(n, sum / n);
    }

    private static double nll(float[] logits, int off, int vocab, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double s = 0;
        for (int i = 0; i < vocab; i++) {
            s += Math.exp(logits[off + i] - max);
        }
        return max + Math.log(s) - logits[off + target];
    }
}
