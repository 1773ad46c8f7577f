package org.qins.it.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.api.KvCache;
import org.qins.api.KvCacheProvider;
import org.qins.api.KvCacheSpec;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.generate.Sampler;
import org.qins.transformer.memory.MemoryBudget;
import org.qins.transformer.model.BatchStep;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;

/**
 * Several sequences advanced together in one forward call per step (each with its own cache and
 * positions, prompts of different lengths prefilled in the same call) compute what each computes
 * alone: the same greedy tokens, logits equal up to the batched products' summation order.
 */
class BatchStepTest {

    @ParameterizedTest
    @ValueSource(strings = {"fp32", "qins"})
    void aBatchedStepComputesWhatEachSequenceComputesAlone(String linear) {
        Path dir = Engines.fixture("tiny-phi3"); // LongRoPE: each sequence picks its own factors by its own length
        List<int[]> prompts = List.of(new int[] {1}, new int[] {1, 5, 9, 33}, new int[] {1, 17, 4, 88, 90, 3, 12});
        int steps = 12;
        try (QinsEngine engine = QinsEngine.builder().threads(2).kv("fp32").build(); CausalLm lm = engine.load(dir, linear, Map.of())) {
            int vocab = lm.config().vocabSize();
            List<float[][]> alone = new ArrayList<>();
            List<int[]> aloneTokens = new ArrayList<>();
            for (int[] p : prompts) {
                Sequence s = lm.newSequence(engine.kvCache(), p.length + steps);
                float[][] rows = new float[steps][];
                int[] tokens = new int[steps];
                float[] logits = s.prefill(p);
                for (int i = 0; i < steps; i++) {
                    rows[i] = logits.clone();
                    tokens[i] = Sampler.argmax(logits, vocab);
                    logits = s.step(tokens[i]);
                }
                alone.add(rows);
                aloneTokens.add(tokens);
            }
            List<Sequence> seqs = new ArrayList<>();
            for (int[] p : prompts) {
                seqs.add(lm.newSequence(engine.kvCache(), p.length + steps));
            }
            BatchStep batch = new BatchStep(lm);
            batch.run(seqs, prompts);
            for (int i = 0; i < steps; i++) {
                List<int[]> next = new ArrayList<>();
                for (int k = 0; k < seqs.size(); k++) {
                    float[] logits = seqs.get(k).logits();
                    float[] ref = alone.get(k)[i];
                    for (int v = 0; v < vocab; v++) {
                        assertThat(logits[v]).as("%s sequence %d step %d id %d", linear, k, i, v)
                                .isCloseTo(ref[v], within(2e-4f * (1 + Math.abs(ref[v]))));
                    }
                    int token = Sampler.argmax(logits, vocab);
                    assertThat(token).isEqualTo(aloneTokens.get(k)[i]);
                    next.add(new int[] {token});
                }
                batch.run(seqs, next);
            }
            for (int k = 0; k < seqs.size(); k++) {
                assertThat(seqs.get(k).length()).isEqualTo(prompts.get(k).length + steps);
            }
        }
    }

    /**
     * A batched step reserves one more position per sequence at every decode step; the cache's room must grow by
     * whole spans (a copying cache would otherwise copy itself at every token: quadratic in the length), and never
     * beyond the sequence's capacity.
     */
    @Test
    void oneTokenStepsReserveTheCacheInFewGrowthsWithinTheCapacity() {
        Path dir = Engines.fixture("tiny-llama");
        int capacity = 500;
        try (QinsEngine engine = QinsEngine.builder().threads(1).kv("fp32").build(); CausalLm lm = engine.load(dir, "fp32", Map.of())) {
            List<Integer> reserved = new ArrayList<>();
            KvCacheProvider recording = new Recording(engine.kvCache(), reserved);
            Sequence s = lm.newSequence(recording, capacity);
            BatchStep batch = new BatchStep(lm);
            batch.run(List.of(s), List.of(new int[] {1, 5, 9, 33}));
            int vocab = lm.config().vocabSize();
            stepTo(batch, s, capacity, vocab);
            assertThat(reserved).as("reservations for %d positions, one token per step", capacity).hasSizeLessThanOrEqualTo(8)
                    .isSorted().doesNotHaveDuplicates().last().isEqualTo(capacity);
        }
    }

    /** Where the budget cannot hold a span, the sequence still grows by what each step asks for instead of failing. */
    @Test
    void whereASpanDoesNotFitTheBudgetTheExactReservationIsTaken() {
        Path dir = Engines.fixture("tiny-llama");
        AtomicLong heap = new AtomicLong(1L << 40);
        MemoryBudget budget = new MemoryBudget() {
            @Override
            public long heapAvailable() {
                return heap.get();
            }

            @Override
            public long systemAvailable() {
                return Long.MAX_VALUE;
            }

            @Override
            public String describe() {
                return "test budget of " + heap.get() + " heap bytes";
            }
        };
        try (QinsEngine engine = QinsEngine.builder().threads(1).kv("fp32").memoryBudget(budget).build();
                CausalLm lm = engine.load(dir, "fp32", Map.of())) {
            List<Integer> reserved = new ArrayList<>();
            Sequence s = lm.newSequence(new Recording(engine.kvCache(), reserved), 500);
            BatchStep batch = new BatchStep(lm);
            batch.run(List.of(s), List.of(new int[] {1, 5, 9, 33}));
            int vocab = lm.config().vocabSize();
            stepTo(batch, s, 64, vocab);
            assertThat(reserved).containsExactly(64);
            // From here on, a byte less than the next span's KV cache alone (64 more positions and the copy of one
            // layer of 128): one more position at a time (and a step's activations) still fits.
            long perToken = s.cache().bytesPerToken();
            int layers = s.cache().spec().layers();
            heap.set(perToken * 64 + perToken * 128 / layers - 1);
            stepTo(batch, s, 80, vocab);
            assertThat(reserved).startsWith(64, 65, 66).hasSize(1 + 80 - 64).last().isEqualTo(80);
        }
    }

    /** Greedy one-token steps of {@code s} alone through {@code batch} until it holds {@code length} positions. */
    private static void stepTo(BatchStep batch, Sequence s, int length, int vocab) {
        while (s.length() < length) {
            batch.run(List.of(s), List.<int[]>of(new int[] {Sampler.argmax(s.logits(), vocab)}));
        }
    }

    /** A provider whose caches record every reservation, then pass it on. */
    private record Recording(KvCacheProvider inner, List<Integer> reserved) implements KvCacheProvider {
        @Override
        public String name() {
            return "recording";
        }

        @Override
        public int priority() {
            return inner.priority();
        }

        @Override
        public String description() {
            return "records reservations";
        }

        @Override
        public KvCache create(KvCacheSpec spec) {
            KvCache c = inner.create(spec);
            return new KvCache() {
                @Override
                public KvCacheSpec spec() {
                    return c.spec();
                }

                @Override
                public void store(int layer, int position, float[] k, int kOffset, float[] v, int vOffset) {
                    c.store(layer, position, k, kOffset, v, vOffset);
                }

                @Override
                public void keyScores(int layer, int kvHead, float[] q, int qOffset, int from, int to, float[] scores, int sOffset) {
                    c.keyScores(layer, kvHead, q, qOffset, from, to, scores, sOffset);
                }

                @Override
                public void valueSum(int layer, int kvHead, float[] weights, int wOffset, int from, int to, float[] out, int outOffset) {
                    c.valueSum(layer, kvHead, weights, wOffset, from, to, out, outOffset);
                }

                @Override
                public void reserve(int positions) {
                    reserved.add(positions);
                    c.reserve(positions);
                }

                @Override
                public long bytesPerToken() {
                    return c.bytesPerToken();
                }

                @Override
                public long residentBytes() {
                    return c.residentBytes();
                }

                @Override
                public String describe() {
                    return "recording " + c.describe();
                }
            };
        }
    }
}
