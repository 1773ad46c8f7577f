package org.qins.it.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.api.KvCache;
import org.qins.api.KvCacheProvider;
import org.qins.tools.validate.CompareMetrics;
import org.qins.tools.validate.Comparison;
import org.qins.tools.validate.Follower;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;
import org.qins.transformer.generate.Sampler;
import org.qins.transformer.model.BatchStep;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;
import org.qins.transformer.parallel.WorkerPool;
import org.qins.transformer.provider.ProviderSelector;

/**
 * Mistral's sliding window (48 positions in tiny-mistral): FloatParityTest shows it reproduces
 * transformers; here, that the window is what makes it do so, that a cache of either kind stops
 * growing at the window, and that prompts longer than the window prefilled together with other
 * sequences' steps compute what one token at a time computes.
 */
class SlidingWindowTest {

    private static final ProviderSelector SELECTOR = new ProviderSelector(Engines.REGISTRY, () -> null);
    private static final Path MISTRAL = Engines.fixture("tiny-mistral");
    private static final int WINDOW = 48;

    @Test
    void withoutTheWindowTheReferenceIsNotReproduced(@TempDir Path tmp) throws IOException {
        Path full = tmp.resolve("no-window");
        Files.createDirectories(full);
        try (var files = Files.list(MISTRAL)) {
            for (Path p : files.toList()) {
                Files.copy(p, full.resolve(p.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(full.resolve("config.json").toFile());
        config.putNull("sliding_window");
        json.writeValue(full.resolve("config.json").toFile(), config);
        LlmRef ref = ReferenceFile.read(MISTRAL.resolve("reference.json"));
        CompareMetrics m;
        try (WorkerPool pool = new WorkerPool(2); CausalLm model = Engines.loadFp32(full, pool)) {
            assertThat(model.config().slidingWindow()).isZero();
            m = Comparison.compare(ref, new Follower(model, Engines.fp32Kv(), 20).follow(ref, Map.of()));
        }
        System.out.printf("tiny-mistral without its window: greedy %.4f, tf top-1 %.4f, mean KL %.3e%n",
                m.greedyMatchRate(), m.teacherTop1(), m.meanKl());
        assertThat(m.exactMaxAbsLogitDiff()).as("rows 0-7 are inside the window").isLessThan(1e-3);
        assertThat(m.meanKl()).as("mean KL once positions fall out of the window").isGreaterThan(1e-2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fp32", "qins"})
    void theCacheHoldsTheWindowOnly(String kvName) {
        KvCacheProvider kv = SELECTOR.selectKv(kvName).provider();
        int total = 300;
        try (WorkerPool pool = new WorkerPool(2); CausalLm model = Engines.loadFp32(MISTRAL, pool)) {
            int vocab = model.config().vocabSize();
            Sequence seq = model.newSequence(kv, total);
            KvCache cache = seq.cache();
            assertThat(cache.spec().slots()).isEqualTo(WINDOW);
            long atWindow = 0;
            int token = Sampler.argmax(seq.prefill(new int[] {1, 5, 9, 33}), vocab);
            while (seq.length() < total) {
                token = Sampler.argmax(seq.step(token), vocab);
                if (seq.length() == WINDOW) {
                    atWindow = cache.residentBytes();
                }
                if (seq.length() >= WINDOW) {
                    assertThat(cache.residentBytes()).as("--kv %s resident bytes at %d tokens", kvName, seq.length())
                            .isEqualTo(atWindow);
                }
            }
            assertThat(atWindow).isEqualTo(WINDOW * cache.bytesPerToken());
            System.out.printf("--kv %s on tiny-mistral: %d resident bytes from %d to %d tokens (%d per token)%n", kvName,
                    atWindow, WINDOW, total, cache.bytesPerToken());
        }
    }

    @Test
    void longPromptsBatchedWithStepsComputeWhatOneTokenAtATimeDoes() {
        SplittableRandom r = new SplittableRandom(3);
        List<int[]> prompts = List.of(ids(r, 130), new int[] {1}, ids(r, 60));
        int steps = 8;
        KvCacheProvider kv = Engines.fp32Kv();
        try (WorkerPool pool = new WorkerPool(2); CausalLm lm = Engines.loadFp32(MISTRAL, pool)) {
            int vocab = lm.config().vocabSize();
            // alone, one token at a time
            List<float[][]> alone = new ArrayList<>();
            for (int[] p : prompts) {
                Sequence s = lm.newSequence(kv, p.length + steps);
                float[] logits = null;
                for (int t : p) {
                    logits = s.step(t);
                }
                float[][] rows = new float[steps][];
                for (int i = 0; i < steps; i++) {
                    rows[i] = logits.clone();
                    logits = s.step(Sampler.argmax(logits, vocab));
                }
                alone.add(rows);
            }
            // together: the second sequence starts stepping while the others prefill, all in one call
            List<Sequence> seqs = new ArrayList<>();
            for (int[] p : prompts) {
                seqs.add(lm.newSequence(kv, p.length + steps));
            }
            BatchStep batch = new BatchStep(lm);
            batch.run(seqs, prompts);
            for (int i = 0; i < steps; i++) {
                List<int[]> next = new ArrayList<>();
                for (int k = 0; k < seqs.size(); k++) {
                    float[] logits = seqs.get(k).logits();
                    float[] ref = alone.get(k)[i];
                    for (int v = 0; v < vocab; v++) {
                        assertThat(logits[v]).as("sequence %d step %d id %d", k, i, v)
                                .isCloseTo(ref[v], within(2e-4f * (1 + Math.abs(ref[v]))));
                    }
                    next.add(new int[] {Sampler.argmax(ref, vocab)});
                }
                batch.run(seqs, next);
            }
        }
    }

    private static int[] ids(SplittableRandom r, int n) {
        int[] ids = new int[n];
        ids[0] = 1;
        for (int i = 1; i < n; i++) {
            ids[i] = 3 + r.nextInt(300);
        }
        return ids;
    }
}
