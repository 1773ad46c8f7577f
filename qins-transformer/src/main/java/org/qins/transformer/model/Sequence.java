package org.qins.transformer.model;

import org.qins.api.KvCache;

/**
 * One token sequence being processed: its KV cache, its length and its buffers. Feed the prompt
 * as one batch ({@link #prefill}), then one token at a time ({@link #step}).
 */
public final class Sequence {

    private final CausalLm model;
    private final KvCache cache;
    private final Workspace workspace;
    private final AttentionKernel attention;
    private final float[] logits;
    private final int[] singleToken = new int[1];
    private int length;

    Sequence(CausalLm model, KvCache cache) {
        this.model = model;
        this.cache = cache;
        this.workspace = new Workspace(model.shape());
        this.attention = new AttentionKernel(model.shape());
        this.logits = new float[model.shape().vocab()];
    }

    /** Tokens consumed so far. */
    public int length() {
        return length;
    }

    public KvCache cache() {
        return cache;
    }

    /** Consumes {@code tokens} in one batch; returns the logits after the last one (a view reused by the next call). */
    public float[] prefill(int[] tokens) {
        model.forward(tokens, 0, length, tokens.length, workspace, attention, cache, false, logits);
        length += tokens.length;
        return logits;
    }

    /** Consumes {@code tokens} in one batch and returns the logits after every one of them ({@code n x vocab}, new array). */
    public float[] prefillAll(int[] tokens) {
        float[] all = new float[tokens.length * model.shape().vocab()];
        model.forward(tokens, 0, length, tokens.length, workspace, attention, cache, true, all);
        length += tokens.length;
        return all;
    }

    /** Consumes one token; returns the logits after it (a view reused by the next call). */
    public float[] step(int token) {
        singleToken[0] = token;
        model.forward(singleToken, 0, length, 1, workspace, attention, cache, false, logits);
        length++;
        return logits;
    }
}
