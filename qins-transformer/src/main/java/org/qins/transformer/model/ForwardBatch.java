package org.qins.transformer.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one forward call: consecutive new tokens of one or several sequences, each row at
 * its own sequence's next position. Every linear layer runs once over all rows; attention and the
 * KV cache are per sequence.
 */
final class ForwardBatch {

    /**
     * One sequence's share of the rows.
     *
     * @param sequence  the sequence the tokens extend
     * @param tokens    its new tokens ({@code count} of them from {@code offset})
     * @param start     the position of the first new token (the sequence's length before the call)
     * @param firstRow  the batch row of the first new token
     * @param allLogits logits of every new token ({@code count x vocab}) instead of the last one only
     * @param logits    where the logits go
     */
    record Part(Sequence sequence, int[] tokens, int offset, int count, int start, int firstRow, boolean allLogits, float[] logits) {

        /** Logit rows this part wants. */
        int logitRows() {
            return allLogits ? count : 1;
        }
    }

    private final List<Part> parts = new ArrayList<>();
    private int rows;

    /** Adds {@code count} tokens of {@code seq} (checked against its cache's capacity). */
    ForwardBatch add(Sequence seq, int[] tokens, int offset, int count, boolean allLogits, float[] logits) {
        if (count <= 0) {
            throw new IllegalArgumentException("a forward call needs at least one token per sequence, got " + count);
        }
        int start = seq.length();
        int capacity = seq.cache().spec().capacity();
        if (start + count > capacity) {
            throw new IllegalArgumentException("sequence of " + (start + count) + " tokens exceeds the KV cache capacity " + capacity);
        }
        for (Part p : parts) {
            if (p.sequence() == seq) {
                throw new IllegalArgumentException("a sequence appears twice in one forward call");
            }
        }
        parts.add(new Part(seq, tokens, offset, count, start, rows, allLogits, logits));
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
            int skipped = p.allLogits() ? 0 : p.count() - 1;
            b.parts.add(new Part(p.sequence(), p.tokens(), p.offset() + skipped, p.count() - skipped, p.start() + skipped, b.rows,
                    p.allLogits(), p.logits()));
            b.rows += p.count() - skipped;
        }
        return b;
    }
}
