package org.qins.transformer.model;

import java.util.List;

/**
 * Advances several sequences of one model together: one forward call whose linear layers run
 * once over all of their new tokens, so an encoded weight is decoded once per step for every
 * sequence instead of once per sequence. Each sequence keeps its own KV cache and positions.
 * Owns its activation buffers: one instance per scheduler thread.
 */
public final class BatchStep {

    private final CausalLm model;
    private final Workspace workspace;

    public BatchStep(CausalLm model) {
        this.model = model;
        this.workspace = model.newWorkspace();
    }

    /**
     * Feeds {@code tokens.get(i)} (a prompt chunk or one generated token) to {@code sequences.get(i)};
     * afterwards each sequence's {@link Sequence#logits()} holds the logits after its last new token.
     */
    public void run(List<Sequence> sequences, List<int[]> tokens) {
        if (sequences.size() != tokens.size()) {
            throw new IllegalArgumentException(sequences.size() + " sequences but " + tokens.size() + " token lists");
        }
        ForwardBatch batch = new ForwardBatch();
        for (int i = 0; i < sequences.size(); i++) {
            Sequence s = sequences.get(i);
            if (s.model() != model) {
                throw new IllegalArgumentException("sequence " + i + " belongs to another model");
            }
            int[] t = tokens.get(i);
            batch.add(s, t, 0, t.length, false, s.logits());
        }
        if (batch.rows() > 0) {
            model.forward(batch, workspace);
        }
    }
}
