package org.qins.transformer.model;

import org.qins.api.KvCache;
import org.qins.transformer.memory.InsufficientMemoryException;
import org.qins.transformer.memory.MemoryNeed;

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
    /** Positions this sequence has reserved in its cache so far (the cache may hold more, never fewer). */
    private int reserved;

    /**
     * Least growth of a reservation, in positions: a caller that reserves one position more at every step (BatchStep,
     * at each decode step of a server) would otherwise make a cache that copies to grow (fp32) copy itself at every
     * token, quadratic in the sequence's length; growing by half of what is reserved, at least this, makes it
     * logarithmic. Capped at the cache's slots, so never beyond what the sequence was created for; where the span does
     * not fit the memory budget, the exact reservation is tried before the request is refused.
     */
    static final int MIN_GROWTH = 64;

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

    /**
     * Consumes {@code tokens} in chunks of at most {@link CausalLm#prefillChunk()} tokens, so activation memory stays
     * bounded however long the prompt; returns the logits after the last one (a view reused by the next call). The
     * memory the new positions and the chunks need is checked first ({@link #reserve}).
     */
    public float[] prefill(int[] tokens) {
        feed(tokens, false, logits);
        return logits;
    }

    /**
     * Consumes {@code tokens} (in chunks, as {@link #prefill}) and returns the logits after every one of them
     * ({@code n x vocab}, new array).
     */
    public float[] prefillAll(int[] tokens) {
        long size = (long) tokens.length * model.config().vocabSize();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(tokens.length + " tokens x " + model.config().vocabSize() + " logits = " + size
                    + " floats do not fit one array; ask for fewer positions at a time");
        }
        reserve(length + tokens.length, 4 * size);
        float[] all = new float[(int) size];
        feed(tokens, true, all);
        return all;
    }

    private void feed(int[] tokens, boolean allLogits, float[] out) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a forward call needs at least one token per sequence, got 0");
        }
        reserve(length + tokens.length);
        int chunk = model.prefillChunk();
        int horizon = length + tokens.length - 1;
        int vocab = model.config().vocabSize();
        for (int b = 0; b < tokens.length; b += chunk) {
            int n = Math.min(chunk, tokens.length - b);
            boolean last = b + n == tokens.length;
            ForwardBatch.Logits want = allLogits ? ForwardBatch.Logits.ALL : last ? ForwardBatch.Logits.LAST : ForwardBatch.Logits.NONE;
            run(new ForwardBatch().add(this, tokens, b, n, horizon, want, out, allLogits ? b * vocab : 0));
        }
    }

    /** Consumes one token; returns the logits after it (a view reused by the next call). */
    public float[] step(int token) {
        run(new ForwardBatch().add(this, new int[] {token}, 0, 1, false, logits));
        return logits;
    }

    /**
     * Makes room for the sequence to reach {@code positions} positions: its KV cache, the activations of a prefill
     * chunk, and the model's mapped weights are checked against the model's {@linkplain CausalLm#memoryBudget memory
     * budget}, and a request that does not fit is refused with the numbers (needed, available) before anything is
     * allocated; then the cache {@linkplain KvCache#reserve reserves} the positions, so it does not grow (or copy
     * itself) token by token.
     */
    public void reserve(int positions) {
        reserve(positions, 0);
    }

    private void reserve(int positions, long outputBytes) {
        if (positions > capacity()) {
            throw new IllegalArgumentException("a sequence of " + positions + " positions exceeds its KV cache capacity " + capacity());
        }
        int slots = cache.spec().slots();
        int exact = Math.min(positions, slots);
        int room = exact <= reserved ? exact : Math.min(slots, Math.max(exact, reserved + Math.max(MIN_GROWTH, reserved / 2)));
        try {
            require(positions, room, outputBytes);
        } catch (InsufficientMemoryException e) {
            if (room == exact) {
                throw e;
            }
            room = exact; // the span does not fit: what was asked for still may
            require(positions, room, outputBytes);
        }
        if (room > reserved) {
            cache.reserve(room);
            reserved = room;
        }
    }

    /** Checks the memory for a KV cache of {@code room} positions and a prefill chunk towards {@code positions}. */
    private void require(int positions, int room, long outputBytes) {
        long target = (long) room * cache.bytesPerToken();
        long growth = Math.max(0, target - cache.residentBytes());
        int rows = Math.min(model.prefillChunk(), Math.max(1, positions - length));
        MemoryNeed need = MemoryNeed.of(String.format(java.util.Locale.ROOT, "a sequence of %,d positions (%,d cached; KV cache %s, %,d"
                + " bytes per position)", positions, length, cache.describe(), cache.bytesPerToken()))
                .plus(String.format(java.util.Locale.ROOT, "KV cache for %,d more positions", Math.max(0, room - length)),
                        growth == 0 ? 0 : growth + target / cache.spec().layers(), true)
                .plus("activations for " + rows + " rows", workspace != null && workspace.rows >= rows ? 0
                        : Workspace.bytes(model.config(), model.largestPart(), rows), true)
                .plus("logits", outputBytes, true)
                .plus("mapped weights read at every token", model.mappedWeightBytes(), false);
        if (growth > 0 || need.heapBytes() > 0) {
            model.memoryBudget().require(need);
        }
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
