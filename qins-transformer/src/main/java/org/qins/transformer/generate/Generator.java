package org.qins.transformer.generate;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;

/**
 * The generation loop, the one every caller uses: prefill the new tokens as one batch, then one
 * cached step per generated token, until the limit or a stop token. The listener sees each token
 * with the logits it was chosen from.
 */
public final class Generator {

    private final CausalLm model;
    private final KvCacheProvider kv;

    public Generator(CausalLm model, KvCacheProvider kv) {
        this.model = model;
        this.kv = kv;
    }

    /** Generates from {@code prompt} in a new sequence sized for the prompt and the new tokens. */
    public GenerationResult generate(int[] prompt, GenerationOptions options, TokenListener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token (usually BOS)");
        }
        requireFits(prompt.length, options.maxNewTokens(), model.config().maxPositionEmbeddings());
        if (options.maxNewTokens() == 0) {
            return new GenerationResult(new int[0], false, 0, 0);
        }
        Sequence seq = model.newSequence(kv, prompt.length + options.maxNewTokens());
        return continueSequence(seq, prompt, options, listener);
    }

    /**
     * Feeds {@code newTokens} to {@code seq} (whose earlier tokens are cached) and generates after
     * them. The last generated token is not fed, so the sequence then holds everything but it.
     * The result's tokens include a stop token that ended the run.
     */
    public GenerationResult continueSequence(Sequence seq, int[] newTokens, GenerationOptions options, TokenListener listener) {
        return continueSequence(seq, newTokens, options, listener, () -> false);
    }

    /**
     * As {@link #continueSequence(Sequence, int[], GenerationOptions, TokenListener)}, ending early when
     * {@code stop} answers true after a token was given to the listener (a cancelled request, a stop
     * string in the text): that token is the last of the result, which then says no stop token ended it.
     */
    public GenerationResult continueSequence(Sequence seq, int[] newTokens, GenerationOptions options, TokenListener listener,
            BooleanSupplier stop) {
        if (newTokens.length == 0) {
            throw new IllegalArgumentException("nothing to continue from: give at least one new token");
        }
        requireFits(seq.length() + newTokens.length, options.maxNewTokens(), model.config().maxPositionEmbeddings());
        long needed = (long) seq.length() + newTokens.length + Math.max(0, options.maxNewTokens() - 1);
        if (needed > seq.capacity()) {
            throw new IllegalArgumentException(seq.length() + " cached + " + newTokens.length + " new tokens + "
                    + options.maxNewTokens() + " to generate exceed the sequence's capacity of " + seq.capacity());
        }
        seq.reserve(Math.toIntExact(needed)); // refuses, with the numbers, a request whose KV cache will not fit
        int vocab = model.config().vocabSize();
        Sampler sampler = new Sampler(options.temperature(), options.topP(), options.seed());
        int[] out = new int[options.maxNewTokens()];
        long t0 = System.nanoTime();
        float[] logits = seq.prefill(newTokens);
        long t1 = System.nanoTime();
        int[] stops = options.stopTokens().stream().mapToInt(Integer::intValue).toArray();
        int n = 0;
        boolean eos = false;
        while (n < options.maxNewTokens()) {
            int token = sampler.sample(logits, vocab);
            listener.onToken(n, token, logits);
            out[n++] = token;
            if (contains(stops, token)) {
                eos = true;
                break;
            }
            if (stop.getAsBoolean()) {
                break;
            }
            if (n < options.maxNewTokens()) {
                logits = seq.step(token);
            }
        }
        long t2 = System.nanoTime();
        return new GenerationResult(Arrays.copyOf(out, n), eos, t1 - t0, t2 - t1);
    }

    /**
     * Refuses, before any buffer is sized, a prompt plus new tokens beyond the model's context:
     * positions past {@code max_position_embeddings} were never trained and the cache would grow past it.
     */
    public static void requireFits(int promptTokens, int maxNewTokens, int context) {
        long total = (long) promptTokens + maxNewTokens;
        if (total > context) {
            throw new IllegalArgumentException("the prompt's " + promptTokens + " tokens + " + maxNewTokens + " new tokens = " + total
                    + " positions exceed the model's context of " + context + " (max_position_embeddings)");
        }
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }
}
