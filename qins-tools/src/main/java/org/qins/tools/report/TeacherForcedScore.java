package org.qins.tools.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        double klSum = 0;
        double klMax = 0;
        long top1 = 0;
        long n = 0;
        for (PromptRecord p : reference.prompts()) {
            List<LogitRow> rows = rows(model, kv, p.teacherTokens());
            for (int t = 0; t < rows.size(); t++) {
                LogitRow ref = p.teacherRows().get(t);
                LogitRow row = rows.get(t);
                double kl = Comparison.klEstimate(ref, row)[0];
                klSum += kl;
                klMax = Math.max(klMax, kl);
                top1 += ref.ids()[0] == row.ids()[0] ? 1 : 0;
                n++;
            }
        }
        return new TeacherForcedScore(klSum / n, klMax, (double) top1 / n, n);
    }

    /**
     * {@code model}'s own logits on {@code file}'s teacher-forced tokens, as a reference for
     * {@link #of}: the file's prompts and tokens with this model's rows (the file's greedy steps
     * are left out; only the teacher-forced positions are scored).
     */
    public static LlmRef reference(LlmRef file, CausalLm model, KvCacheProvider kv, Map<String, Object> source) {
        List<PromptRecord> prompts = new ArrayList<>();
        for (PromptRecord p : file.prompts()) {
            prompts.add(new PromptRecord(p.prompt(), new int[0], List.of(), p.teacherTokens(),
                    rows(model, kv, p.teacherTokens())));
        }
        return new LlmRef(source, file.model(), file.nSteps(), Comparer.TOP_K, file.logitDecimals(), prompts, null);
    }

    /** The top {@value Comparer#TOP_K} logits after each of {@code tokens}, run as one batch from an empty cache (as {@code Follower} does). */
    static List<LogitRow> rows(CausalLm model, KvCacheProvider kv, int[] tokens) {
        int vocab = model.config().vocabSize();
        float[] logits = model.newSequence(kv, tokens.length).prefillAll(tokens);
        List<LogitRow> rows = new ArrayList<>(tokens.length);
        for (int t = 0; t < tokens.length; t++) {
            rows.add(LogitRow.of(logits, t * vocab, vocab, Comparer.TOP_K));
        }
        return rows;
    }
}
