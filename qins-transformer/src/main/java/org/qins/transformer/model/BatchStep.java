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
     * afterwards each sequence's {@link Sequence#logits()} holds the logits after its last new token. When the
     * tokens add up to more than the model's {@linkplain CausalLm#prefillChunk() prefill chunk}, they are fed in
     * rounds of at most that many rows (each sequence's next tokens in order), so activation memory stays bounded.
     */
    public void run(List<Sequence> sequences, List<int[]> tokens) {
        if (sequences.size() != tokens.size()) {
            throw new IllegalArgumentException(sequences.size() + " sequences but " + tokens.size() + " token lists");
        }
        int[] fed = new int[sequences.size()];
        for (int i = 0; i < sequences.size(); i++) {
            Sequence s = sequences.get(i);
            if (s.model() != model) {
                throw new IllegalArgumentException("sequence " + i + " belongs to another model");
            }
            for (int j = 0; j < i; j++) {
                if (sequences.get(j) == s) {
                    throw new IllegalArgumentException("a sequence appears twice in one forward call");
                }
            }
            if (tokens.get(i).length > 0) {
                s.reserve(s.length() + tokens.get(i).length);
            }
        }
        int[] horizon = new int[sequences.size()];
        for (int i = 0; i < sequences.size(); i++) {
            horizon[i] = sequences.get(i).length() + tokens.get(i).length - 1;
        }
        int chunk = model.prefillChunk();
        while (true) {
            ForwardBatch batch = new ForwardBatch();
            for (int i = 0; i < sequences.size() && batch.rows() < chunk; i++) {
                int[] t = tokens.get(i);
                int n = Math.min(t.length - fed[i], chunk - batch.rows());
                if (n > 0) {
                    boolean last = fed[i] + n == t.length;
                    Sequence s = sequences.get(i);
                    batch.add(s, t, fed[i], n, horizon[i], last ? ForwardBatch.Logits.LAST : ForwardBatch.Logits.NONE, s.logits(), 0);
                    fed[i] += n;
                }
            }
            if (batch.rows() == 0) {
                return;
            }
            model.forward(batch, workspace);
        }
    }
}
