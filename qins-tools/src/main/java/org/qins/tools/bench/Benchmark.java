package org.qins.tools.bench;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.generate.Sampler;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.ModelLoader;
import org.qins.transformer.model.Sequence;
import org.qins.transformer.parallel.WorkerPool;
import org.qins.transformer.provider.ProviderSelector;

/**
 * Benchmarks one configuration on token ids (no tokenizer): loads the model, runs {@code warmup}
 * untimed rounds, then one timed round: the prompt as one batch (prefill; time to first token =
 * prefill + choosing the first token), then {@code newTokens - 1} greedy one-token steps (decode).
 * The prompt is BOS followed by pseudo-random ids from a fixed seed. The model is closed before
 * returning.
 */
public final class Benchmark {

    private final ProviderSelector selector;
    private final Map<String, String> layerOptions;

    public Benchmark(ProviderSelector selector) {
        this(selector, Map.of());
    }

    /** With provider options for every layer (e.g. {@code decoded-cache=true}). */
    public Benchmark(ProviderSelector selector, Map<String, String> layerOptions) {
        this.selector = selector;
        this.layerOptions = Map.copyOf(layerOptions);
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

    public BenchResult run(Path model, String linear, String kvName, int threads, int promptTokens, int newTokens, int warmup) {
        if (promptTokens < 1 || newTokens < 2) {
            throw new IllegalArgumentException("need --prompt-tokens >= 1 and --new-tokens >= 2");
        }
        KvCacheProvider kv = selector.selectKv(kvName).provider();
        try (WorkerPool pool = new WorkerPool(threads)) {
            long l0 = System.nanoTime();
            try (CausalLm lm = ModelLoader.load(model, selector, linear, pool, layerOptions)) {
                double load = (System.nanoTime() - l0) / 1e9;
                int vocab = lm.config().vocabSize();
                int[] prompt = promptIds(promptTokens, vocab, lm.config().bosTokenId());
                for (int w = 0; w < warmup; w++) {
                    round(lm, kv, prompt, Math.min(newTokens, 16), vocab);
                }
                Sequence seq = lm.newSequence(kv, promptTokens + newTokens);
                long t0 = System.nanoTime();
                float[] logits = seq.prefill(prompt);
                int token = Sampler.argmax(logits, vocab);
                long t1 = System.nanoTime();
                for (int i = 1; i < newTokens; i++) {
                    token = Sampler.argmax(seq.step(token), vocab);
                }
                long t2 = System.nanoTime();
                long heap = ProcessMemory.heapUsedAfterGc();
                long rss = ProcessMemory.rssBytes();
                return new BenchResult(linear == null ? "default" : linear, lm.describeLinear(), kv.name(), threads, promptTokens,
                        newTokens, load, promptTokens * 1e9 / (t1 - t0), (newTokens - 1) * 1e9 / (t2 - t1), (t1 - t0) / 1e9,
                        lm.weightBytes(), lm.linearBytes(), lm.parameters(), lm.linearParameters(), seq.cache().bytesPerToken(),
                        seq.cache().residentBytes(), heap, rss);
            }
        }
    }

    private static void round(CausalLm lm, KvCacheProvider kv, int[] prompt, int steps, int vocab) {
        Sequence seq = lm.newSequence(kv, prompt.length + steps);
        int token = Sampler.argmax(seq.prefill(prompt), vocab);
        for (int i = 1; i < steps; i++) {
            token = Sampler.argmax(seq.step(token), vocab);
        }
    }
}
