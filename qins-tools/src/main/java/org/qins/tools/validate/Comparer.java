package org.qins.tools.validate;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.QinsEngine;

/**
 * Runs a reference and a candidate on the same prompts and scores the candidate. The reference is
 * either a provider run over {@code referenceModel} (recorded with {@link RunRecorder}) or an
 * llm-ref/1 file (its prompts and steps are used). The candidate follows the reference's tokens
 * exactly as {@code qins generate --follow} does. One model is loaded at a time.
 */
public final class Comparer {

    /** Top-k written per position (compare.py recommends 20). */
    public static final int TOP_K = 20;

    private final QinsEngine engine;

    /** Loads both sides with {@code engine}'s providers and worker pool. */
    public Comparer(QinsEngine engine) {
        this.engine = engine;
    }

    /** One side of a comparison: a model directory, a linear provider name (null = flag/priority) and a KV cache name. */
    public record Side(Path model, String linear, String kv) {

        public String describe(CausalLm lm, KvCacheProvider cache) {
            return (linear == null ? "default" : linear) + " over " + model.getFileName() + " (kv " + cache.name() + "; "
                    + lm.describeLinear() + ")";
        }
    }

    /**
     * @param reference       the reference run, or null when {@code referenceFile} is given
     * @param referenceFile   an llm-ref/1 file, or null
     * @param prompts         prompts for a provider reference (ignored with a file)
     * @param steps           greedy steps for a provider reference (ignored with a file)
     * @param textIds         token ids of a text for perplexity, or null
     */
    public CompareReport compare(Side reference, Path referenceFile, Side candidate, List<int[]> prompts, int steps, int[] textIds) {
        LlmRef ref;
        String refName;
        Perplexity refPpl = null;
        if (referenceFile != null) {
            ref = ReferenceFile.read(referenceFile);
            refName = referenceFile.toString();
            if (textIds != null && reference != null) {
                try (CausalLm lm = load(reference)) {
                    refPpl = perplexity(lm, kv(reference), textIds);
                }
            }
        } else {
            KvCacheProvider kv = kv(reference);
            try (CausalLm lm = load(reference)) {
                refName = reference.describe(lm, kv);
                ref = RunRecorder.record(lm, kv, prompts, steps, TOP_K, source(lm, kv));
                if (textIds != null) {
                    refPpl = perplexity(lm, kv, textIds);
                }
            }
        }
        KvCacheProvider kv = kv(candidate);
        LlmRef cand;
        String candName;
        Perplexity candPpl = null;
        try (CausalLm lm = load(candidate)) {
            candName = candidate.describe(lm, kv);
            cand = new Follower(lm, kv, TOP_K).follow(ref, source(lm, kv));
            if (textIds != null) {
                candPpl = perplexity(lm, kv, textIds);
            }
        }
        return new CompareReport(refName, candName, ref.nSteps(), Comparison.compare(ref, cand), refPpl, candPpl);
    }

    private CausalLm load(Side side) {
        return engine.load(side.model(), side.linear(), Map.of());
    }

    private KvCacheProvider kv(Side side) {
        return engine.providers().selectKv(side.kv()).provider();
    }

    private static Perplexity perplexity(CausalLm lm, KvCacheProvider kv, int[] ids) {
        return Perplexity.of(lm, kv, ids, lm.config().maxPositionEmbeddings());
    }

    private Map<String, Object> source(CausalLm lm, KvCacheProvider kv) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kind", "qins-java");
        s.put("linear", lm.describeLinear());
        s.put("kv", kv.name());
        s.put("threads", engine.threads());
        return s;
    }
}
