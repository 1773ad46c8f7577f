package org.qins.tools.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.model.CausalLm;

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
        Follower follower = new Follower(model, kv, topK);
        List<PromptRecord> records = new ArrayList<>();
        ExactRows exact = null;
        LlmRef first = null;
        for (int[] prompt : prompts) {
            List<LogitRow> rows = new ArrayList<>(steps);
            int[] greedy = follower.greedy(prompt, steps, rows);
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
