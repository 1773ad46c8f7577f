package org.qins.transformer.model;

import org.qins.api.KvCache;

/**
 * One token sequence: its KV cache and its length, the whole state a sequence carries between
 * forward calls. Feed the prompt as one batch ({@link #prefill}), then one token at a time
 * ({@link #step}); or advance several sequences together with a {@link BatchStep}. Calls on one
 * sequence are not thread-safe.
 */
public final class Sequence {

    private final CausalLm model;
    private final KvCache cache;
    private final float[] logits;
    private Workspace workspace;
    private int length;

    Sequence(CausalLm model, KvCache cache) {
        this.model = model;
        this.cache = cache;
        this.logits = new float[model.config().vocabSize()];
    }

    /** Tokens consumed so far. */
    public int length() {
        return length;
    }

    public KvCache cache() {
        return cache;
    }

    /** Positions this sequence can hold. */
    public int capacity() {
        return cache.spec().capacity();
    }

    /** The logits after the last token consumed (a view, overwritten by the next call). */
    public float[] logits() {
        return logits;
    }

    /** Consumes {@code tokens} in one batch; returns the logits after the last one (a view reused by the next call). */
    public float[] prefill(int[] tokens) {
        run(new ForwardBatch().add(this, tokens, 0, tokens.length, false, logits));
        return logits;
    }

    /** Consumes {@code tokens} in one batch and returns the logits after every one of them ({@code n x vocab}, new array). */
    public float[] prefillAll(int[] tokens) {
        float[] all = new float[Math.multiplyExact(tokens.length, model.config().vocabSize())];
        run(new ForwardBatch().add(this, tokens, 0, tokens.length, true, all));
        return all;
    }

    /** Consumes one token; returns the logits after it (a view reused by the next call). */
    public float[] step(int token) {
        run(new ForwardBatch().add(this, new int[] {token}, 0, 1, false, logits));
        return logits;
    }

    private void run(ForwardBatch batch) {
        if (workspace == null) {
            workspace = model.newWorkspace();
        }
        model.forward(batch, workspace);
    }

    /** Called by the model once a forward call has stored {@code count} more positions. */
    void advance(int count) {
        length += count;
    }

    CausalLm model() {
        return model;
    }
}
