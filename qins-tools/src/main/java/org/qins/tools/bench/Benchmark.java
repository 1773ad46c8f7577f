package org.qins.tools.bench;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.GenerationResult;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.generate.TokenListener;
import org.qins.transformer.model.CausalLm;

/**
 * Benchmarks one configuration on token ids (no tokenizer): loads the model, runs {@code warmup}
 * untimed rounds, then one timed greedy generation through the engine's {@link Generator}: the
 * prompt as one batch (prefill, the time to the first token's logits), then {@code newTokens - 1}
 * one-token steps (decode). The prompt is BOS followed by pseudo-random ids from a fixed seed. The
 * model is closed before returning.
 */
public final class Benchmark {

    private final QinsEngine engine;

    /** Runs on {@code engine}'s providers and worker pool. */
    public Benchmark(QinsEngine engine) {
        this.engine = engine;
    }

    /** Deterministic pseudo-random prompt ids within the vocabulary, starting with {@code bos}. */
    public static int[] promptIds(int n, int vocab, int bos) {
        SplittableRandom rnd = new SplittableRandom(20240611L);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i == 0 && bos >= 0 && bos < vocab ? bos : rnd.nextInt(vocab);
        }
        return ids;
    }

    /**
     * @param linear       the linear provider (null: flag and priorities)
     * @param layerOptions its options, checked against what it declares
     */
    public BenchResult run(Path model, String linear, Map<String, String> layerOptions, String kvName, int promptTokens,
            int newTokens, int warmup) {
        if (promptTokens < 1 || newTokens < 2) {
            throw new IllegalArgumentException("need --prompt-tokens >= 1 and --new-tokens >= 2");
        }
        // Sizes first, before loading: the context, then the memory of the load, the KV cache and the activations.
        engine.memoryBudget().require(engine.planRun(model, linear, layerOptions, kvName, promptTokens, newTokens));
        KvCacheProvider kv = engine.providers().selectKv(kvName).provider();
        long l0 = System.nanoTime();
        try (CausalLm lm = engine.load(model, linear, layerOptions)) {
            double load = (System.nanoTime() - l0) / 1e9;
            int vocab = lm.config().vocabSize();
            int[] prompt = promptIds(promptTokens, vocab, lm.config().bosTokenId());
            Generator generator = new Generator(lm, kv);
            for (int w = 0; w < warmup; w++) {
                generator.generate(prompt, GenerationOptions.greedy(Math.min(newTokens, 16), Set.of()), TokenListener.NONE);
            }
            var seq = lm.newSequence(kv, promptTokens + newTokens);
            GenerationResult r = generator.continueSequence(seq, prompt, GenerationOptions.greedy(newTokens, Set.of()),
                    TokenListener.NONE);
            long heap = ProcessMemory.heapUsedAfterGc();
            long rss = ProcessMemory.rssBytes();
            return new BenchResult(linear == null ? "default" : linear, lm.describeLinear(), kv.name(), engine.threads(),
                    promptTokens, newTokens, load, promptTokens * 1e9 / r.prefillNanos(), r.decodeTokensPerSecond(),
                    r.prefillNanos() / 1e9, lm.weightBytes(), lm.linearBytes(), lm.parameters(), lm.linearParameters(),
                    seq.cache().bytesPerToken(), seq.cache().residentBytes(), heap, rss);
        }
    }
}
