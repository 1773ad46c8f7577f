package org.qins.tools.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.generate.Sampler;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;
import org.qins.tools.validate.ExactRows;
import org.qins.tools.validate.Follower;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.LogitRow;
import org.qins.tools.validate.PromptRecord;

/**
 * Records a model's own run in the llm-ref/1 schema, as a reference: per prompt, {@code steps}
 * free-running greedy tokens with the KV cache (no EOS stop), then the teacher-forced logits over
 * prompt + those tokens in one batch. Exact rows come from the first prompt.
 */
public final class RunRecorder {

    private RunRecorder() {
    }

    public static LlmRef record(CausalLm model, KvCacheProvider kv, List<int[]> prompts, int steps, int topK,
            Map<String, Object> source) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        int vocab = model.config().vocabSize();
        Follower follower = new Follower(model, kv, topK);
        List<PromptRecord> records = new ArrayList<>();
        ExactRows exact = null;
        LlmRef first = null;
        for (int[] prompt : prompts) {
            Sequence seq = model.newSequence(kv, prompt.length + steps);
            float[] logits = seq.prefill(prompt);
            int[] greedy = new int[steps];
            List<LogitRow> rows = new ArrayList<>(steps);
            for (int i = 0; i < steps; i++) {
                rows.add(LogitRow.of(logits, 0, vocab, topK));
                greedy[i] = Sampler.argmax(logits, vocab);
                if (i + 1 < steps) {
                    logits = seq.step(greedy[i]);
                }
            }
            LlmRef one = follower.record(prompt, greedy, rows, source);
            if (first == null) {
                first = one;
                exact = one.exact();
            }
            records.add(one.prompts().get(0));
        }
        return new LlmRef(source, first.model(), steps, topK, first.logitDecimals(), records, exact);
    }
}
