package org.qins.transformer.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one forward call: consecutive new tokens of one or several sequences, each row at
 * its own sequence's next position. Every linear layer runs once over all rows; attention and the
 * KV cache are per sequence. A long prompt is fed as several calls (chunks) of one request: each
 * chunk's part carries the request's last position (the rope horizon, which picks LongRoPE's factors
 * for the whole request as one call would) and says which logits it wants.
 */
final class ForwardBatch {

    /** Which logits a part wants. */
    enum Logits {
        /** None: a chunk before a request's last (the head does not run for it). */
        NONE,
        /** The last token's ({@code vocab} floats at {@code logitsOffset}). */
        LAST,
        /** Every token's ({@code count x vocab} floats from {@code logitsOffset}). */
        ALL
    }

    /**
     * One sequence's share of the rows.
     *
     * @param sequence     the sequence the tokens extend
     * @param tokens       its new tokens ({@code count} of them from {@code offset})
     * @param start        the position of the first new token (the sequence's length before the call)
     * @param firstRow     the batch row of the first new token
     * @param ropeHorizon  the last position of the request this part belongs to (at least its own last)
     * @param want         which logits it wants
     * @param logits       where the logits go
     * @param logitsOffset the index in {@code logits} of the first logit row
     */
    record Part(Sequence sequence, int[] tokens, int offset, int count, int start, int firstRow, int ropeHorizon, Logits want,
            float[] logits, int logitsOffset) {

        /** Logit rows this part wants. */
        int logitRows() {
            return switch (want) {
                case NONE -> 0;
                case LAST -> 1;
                case ALL -> count;
            };
        }

        /** The part's first token whose logits are wanted. */
        int firstLogitToken() {
            return want == Logits.ALL ? 0 : count - 1;
        }
    }

    private final List<Part> parts = new ArrayList<>();
    private int rows;

    /** Adds {@code count} tokens of {@code seq} wanting the last or all logits from index 0 of {@code logits}. */
    ForwardBatch add(Sequence seq, int[] tokens, int offset, int count, boolean allLogits, float[] logits) {
        return add(seq, tokens, offset, count, seq.length() + count - 1, allLogits ? Logits.ALL : Logits.LAST, logits, 0);
    }

    /** Adds {@code count} tokens of {@code seq} (checked against its cache's capacity). */
    ForwardBatch add(Sequence seq, int[] tokens, int offset, int count, int ropeHorizon, Logits want, float[] logits,
            int logitsOffset) {
        if (count <= 0) {
            throw new IllegalArgumentException("a forward call needs at least one token per sequence, got " + count);
        }
        int start = seq.length();
        int capacity = seq.cache().spec().capacity();
        if ((long) start + count > capacity) {
            throw new IllegalArgumentException("sequence of " + ((long) start + count) + " tokens exceeds the KV cache capacity "
                    + capacity);
        }
        if (ropeHorizon < start + count - 1) {
            throw new IllegalArgumentException("rope horizon " + ropeHorizon + " before the part's last position " + (start + count - 1));
        }
        for (Part p : parts) {
            if (p.sequence() == seq) {
                throw new IllegalArgumentException("a sequence appears twice in one forward call");
            }
        }
        parts.add(new Part(seq, tokens, offset, count, start, rows, ropeHorizon, want, logits, logitsOffset));
        rows += count;
        return this;
    }

    List<Part> parts() {
        return parts;
    }

    int rows() {
        return rows;
    }

    int logitRows() {
        return parts.stream().mapToInt(Part::logitRows).sum();
    }

    /** The position (in its own sequence) of batch row {@code row}; for messages. */
    int positionOf(int row) {
        for (Part p : parts) {
            if (row >= p.firstRow() && row < p.firstRow() + p.count()) {
                return p.start() + row - p.firstRow();
            }
        }
        throw new IndexOutOfBoundsException("row " + row + " of a batch of " + rows);
    }

    /** A view whose rows are the logit rows (every token of an all-logits part, the last of the others); for messages. */
    ForwardBatch logitBatch() {
        ForwardBatch b = new ForwardBatch();
        for (Part p : parts) {
            if (p.want() == Logits.NONE) {
                continue;
            }
            int skipped = p.firstLogitToken();
            b.parts.add(new Part(p.sequence(), p.tokens(), p.offset() + skipped, p.count() - skipped, p.start() + skipped, b.rows,
                    p.ropeHorizon(), p.want(), p.logits(), p.logitsOffset()));
            b.rows += p.count() - skipped;
        }
        return b;
    }
}
