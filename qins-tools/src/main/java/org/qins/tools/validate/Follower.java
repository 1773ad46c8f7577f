package org.qins.tools.validate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qins.api.KvCacheProvider;
import java.util.Set;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.model.CausalLm;

/**
 * Produces a candidate for a reference file: for every reference prompt, N free-running greedy
 * steps with the KV cache (no EOS stop), and the teacher-forced logits over the reference's
 * tokens in one batch (as the reference does, without a cache history), plus the exact rows.
 */
public final class Follower {

    private final CausalLm model;
    private final KvCacheProvider kv;
    private final int topK;

    public Follower(CausalLm model, KvCacheProvider kv, int topK) {
        if (topK < 10 || topK > model.config().vocabSize()) {
            throw new IllegalArgumentException("top-k must be in [10, vocab size] for llm-ref/1, got " + topK);
        }
        this.model = model;
        this.kv = kv;
        this.topK = topK;
    }

    public LlmRef follow(LlmRef reference, Map<String, Object> source) {
        int vocab = model.config().vocabSize();
        int n = reference.nSteps();
        List<PromptRecord> prompts = new ArrayList<>();
        ExactRows exact = null;
        for (int pi = 0; pi < reference.prompts().size(); pi++) {
            PromptRecord ref = reference.prompts().get(pi);
            List<LogitRow> steps = new ArrayList<>(n);
            int[] greedy = greedy(ref.prompt(), n, steps);
            int[] tf = ref.teacherTokens();
            float[] all = model.newSequence(kv, tf.length).prefillAll(tf);
            List<LogitRow> rows = new ArrayList<>(tf.length);
            for (int t = 0; t < tf.length; t++) {
                rows.add(LogitRow.of(all, t * vocab, vocab, topK));
            }
            prompts.add(new PromptRecord(ref.prompt(), greedy, steps, tf, rows));
            ExactRows re = reference.exact();
            if (re != null && re.promptIndex() == pi) {
                float[][] ex = new float[re.positions().length][];
                for (int r = 0; r < ex.length; r++) {
                    int pos = re.positions()[r];
                    ex[r] = Arrays.copyOfRange(all, pos * vocab, (pos + 1) * vocab);
                }
                exact = new ExactRows(pi, "teacher_forced", re.positions(), ex);
            }
        }
        return new LlmRef(source, modelInfo(), n, topK, reference.logitDecimals(), prompts, exact);
    }

    /**
     * {@code n} free-running greedy tokens after {@code prompt} with the KV cache (no stop token),
     * the engine's generation loop; each step's logits are added to {@code steps}.
     */
    int[] greedy(int[] prompt, int n, List<LogitRow> steps) {
        int vocab = model.config().vocabSize();
        return new Generator(model, kv).generate(prompt, GenerationOptions.greedy(n, Set.of()),
                (step, token, logits) -> steps.add(LogitRow.of(logits, 0, vocab, topK))).tokens();
    }

    /**
     * Records one finished generation in the llm-ref/1 schema: its steps as given, the teacher-forced
     * rows over prompt + generated tokens (one batch), and exact rows for the first 8 positions.
     */
    public LlmRef record(int[] prompt, int[] generated, List<LogitRow> steps, Map<String, Object> source) {
        int vocab = model.config().vocabSize();
        int[] tf = Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, tf, prompt.length, generated.length);
        float[] all = model.newSequence(kv, tf.length).prefillAll(tf);
        List<LogitRow> rows = new ArrayList<>(tf.length);
        for (int t = 0; t < tf.length; t++) {
            rows.add(LogitRow.of(all, t * vocab, vocab, topK));
        }
        int nExact = Math.min(8, tf.length);
        int[] positions = new int[nExact];
        float[][] ex = new float[nExact][];
        for (int r = 0; r < nExact; r++) {
            positions[r] = r;
            ex[r] = Arrays.copyOfRange(all, r * vocab, (r + 1) * vocab);
        }
        return new LlmRef(source, modelInfo(), generated.length, topK, 5,
                List.of(new PromptRecord(prompt, generated, steps, tf, rows)), new ExactRows(0, "teacher_forced", positions, ex));
    }

    private Map<String, Object> modelInfo() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("model_type", model.config().architecture().modelType());
        info.put("vocab_size", model.config().vocabSize());
        info.put("layers", model.config().layers());
        info.put("hidden_size", model.config().hiddenSize());
        return info;
    }
}
