package org.qins.tools.report;

import org.qins.api.KvCacheProvider;
import org.qins.tools.validate.Comparer;
import org.qins.tools.validate.Comparison;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.LogitRow;
import org.qins.tools.validate.PromptRecord;
import org.qins.transformer.model.CausalLm;

/**
 * A model scored against a reference on the reference's teacher-forced positions only, with
 * compare.py's metrics as {@link Comparison} computes them (its KL estimate over the top
 * {@value Comparer#TOP_K} plus a tail bucket, top-1 agreement): the same numbers
 * {@code Comparison.compare} gives for these positions, without the free-running greedy steps.
 *
 * @param meanKl    mean KL(reference || model) over all positions
 * @param maxKl     the largest at one position
 * @param top1      share of positions where both pick the same top token
 * @param positions teacher-forced positions scored
 */
public record TeacherForcedScore(double meanKl, double maxKl, double top1, long positions) {

    /** Runs {@code model} over each reference prompt's teacher-forced tokens (one batch per prompt) and scores it. */
    public static TeacherForcedScore of(LlmRef reference, CausalLm model, KvCacheProvider kv) {
        int vocab = model.config().vocabSize();
        double klSum = 0;
        double klMax = 0;
        long top1 = 0;
        long n = 0;
        for (PromptRecord p : reference.prompts()) {
            int[] tokens = p.teacherTokens();
            float[] logits = model.newSequence(kv, tokens.length).prefillAll(tokens);
            for (int t = 0; t < tokens.length; t++) {
                LogitRow ref = p.teacherRows().get(t);
                LogitRow row = LogitRow.of(logits, t * vocab, vocab, Comparer.TOP_K);
                double kl = Comparison.klEstimate(ref, row)[0];
                klSum += kl;
                klMax = Math.max(klMax, kl);
                top1 += ref.ids()[0] == row.ids()[0] ? 1 : 0;
                n++;
            }
        }
        return new TeacherForcedScore(klSum / n, klMax, (double) top1 / n, n);
    }
}
