package org.qins.it.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.api.DType;
import org.qins.tools.bench.Benchmark;
import org.qins.tools.synth.ModelShape;
import org.qins.tools.synth.RandomModelWriter;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.TokenListener;
import org.qins.transformer.memory.InsufficientMemoryException;
import org.qins.transformer.memory.MemoryBudget;
import org.qins.transformer.model.BatchStep;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;

/**
 * Long prompts are fed in chunks of bounded size and give what one batch gives, LongRoPE's factors
 * chosen by the whole request; memory is planned before it is taken: a model or a request that does
 * not fit is refused with the numbers, before anything is allocated.
 */
class LongContextTest {

    private static final Path PHI3 = Engines.fixture("tiny-phi3"); // LongRoPE from 256 positions

    /** BOS, then {@code n - 1} pseudo-random ids. */
    private static int[] ids(int n, int vocab, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = i == 0 ? 1 : r.nextInt(vocab);
        }
        return t;
    }

    @Test
    void aPromptFedInChunksGivesWhatOneBatchGives() {
        String kv = "fp32"; // the QINS cache rounds V: the products' batch-dependent last bits can flip a code
        try (QinsEngine engine = QinsEngine.builder().threads(2).kv(kv).build(); CausalLm lm = engine.load(PHI3, "fp32", Map.of())) {
            int vocab = lm.config().vocabSize();
            for (int n : new int[] {200, 600}) { // within and past original_max_position_embeddings (short and long factors)
                int[] prompt = ids(n, vocab, n);
                float[] whole = lm.prefillChunk(4096).newSequence(engine.kvCache(), n).prefillAll(prompt);
                Sequence chunked = lm.prefillChunk(7).newSequence(engine.kvCache(), n);
                float[] parts = chunked.prefillAll(prompt);
                assertThat(chunked.length()).isEqualTo(n);
                float tol = 2e-4f; // the products' summation order depends on the rows per call
                assertClose(parts, whole, kv + " prompt of " + n, tol);
                float[] last = lm.newSequence(engine.kvCache(), n).prefill(prompt);
                assertClose(last, java.util.Arrays.copyOfRange(whole, (n - 1) * vocab, n * vocab), kv + " last logits of " + n, tol);
            }
        }
    }

    @Test
    void aBatchStepFeedsLongPromptsInRoundsOfAChunk() {
        try (QinsEngine engine = QinsEngine.builder().threads(2).kv("fp32").build(); CausalLm lm = engine.load(PHI3, "fp32", Map.of())) {
            int vocab = lm.config().vocabSize();
            List<int[]> prompts = List.of(ids(20, vocab, 3), ids(300, vocab, 4), ids(5, vocab, 5));
            lm.prefillChunk(4096);
            List<float[]> alone = prompts.stream().map(p -> lm.newSequence(engine.kvCache(), p.length).prefill(p).clone()).toList();
            lm.prefillChunk(16);
            List<Sequence> seqs = prompts.stream().map(p -> lm.newSequence(engine.kvCache(), p.length)).toList();
            new BatchStep(lm).run(seqs, prompts);
            for (int k = 0; k < prompts.size(); k++) {
                assertThat(seqs.get(k).length()).isEqualTo(prompts.get(k).length);
                assertClose(seqs.get(k).logits(), alone.get(k), "sequence " + k, 2e-4f);
            }
            assertThat(vocab).isPositive();
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what, float tol) {
        assertThat(actual).hasSameSizeAs(expected);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
        }
        System.out.printf("%s: largest relative difference %.3e%n", what, worst);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s element %d: %f vs %f", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(tol * (1 + Math.abs(expected[i])));
        }
    }

    @Test
    void aModelWhoseFloatCopiesDoNotFitIsRefusedBeforeLoading(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("f16");
        ModelShape shape = new ModelShape(64, 2, 4, 2, 96, 128);
        new RandomModelWriter(shape, 1, DType.F16).write(model);
        long linearParams = shape.parameters() - (long) shape.vocab() * shape.hidden() - (2L * shape.layers() + 1) * shape.hidden();
        long copies = 4 * linearParams; // fp32 widens every F16 linear weight (and the head) to float32 at load
        MemoryBudget tight = MemoryBudget.fixed(1L << 30, copies - 1);
        try (QinsEngine engine = QinsEngine.builder().threads(1).memoryBudget(tight).build()) {
            assertThatThrownBy(() -> engine.load(model, "fp32", Map.of()))
                    .isInstanceOf(InsufficientMemoryException.class)
                    .hasMessageContaining("loading " + model + " with fp32 needs")
                    .hasMessageContaining("allocated at load (float copies, codes)")
                    .hasMessageContaining("is available (fixed budget")
                    .satisfies(e -> {
                        assertThat(((InsufficientMemoryException) e).needed()).isEqualTo(copies);
                        assertThat(((InsufficientMemoryException) e).available()).isEqualTo(copies - 1);
                    });
            // Pattern A over the same file encodes at load: 1.19-1.25 bytes per weight, which fits.
            try (CausalLm lm = engine.load(model, "qins", Map.of())) {
                assertThat(lm.config().layers()).isEqualTo(2);
            }
        }
        try (QinsEngine engine = QinsEngine.builder().threads(1).memoryBudget(MemoryBudget.fixed(1L << 30, copies)).build();
                CausalLm lm = engine.load(model, "fp32", Map.of())) {
            assertThat(lm.mappedWeightBytes()).isZero(); // every weight copied: the mapped source is not read again
        }
        // BF16 weights are read in place: nothing allocated, their mapped bytes counted instead.
        Path bf16 = tmp.resolve("bf16");
        new RandomModelWriter(shape, 1, DType.BF16).write(bf16);
        try (QinsEngine engine = QinsEngine.builder().threads(1).memoryBudget(MemoryBudget.fixed(1L << 30, copies / 2)).build();
                CausalLm lm = engine.load(bf16, "fp32", Map.of())) {
            assertThat(lm.mappedWeightBytes()).isEqualTo(copies / 2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fp32", "qins"})
    void aRequestWhoseKvCacheDoesNotFitIsRefusedBeforeItStarts(String kv) {
        Path llama = Engines.fixture("tiny-llama");
        MemoryBudget small = MemoryBudget.fixed(150_000, Long.MAX_VALUE);
        try (QinsEngine engine = QinsEngine.builder().threads(1).kv(kv).memoryBudget(small).build();
                CausalLm lm = engine.load(llama, "fp32", Map.of())) {
            int vocab = lm.config().vocabSize();
            Sequence seq = lm.newSequence(engine.kvCache(), 500);
            long before = seq.cache().residentBytes();
            long perToken = seq.cache().bytesPerToken();
            assertThat(500 * perToken).isGreaterThan(150_000);
            assertThatThrownBy(() -> seq.prefill(ids(500, vocab, 9)))
                    .isInstanceOf(InsufficientMemoryException.class)
                    .hasMessageContaining("KV cache for 500 more positions")
                    .hasMessageContaining(String.format("%,d bytes per position", perToken))
                    .hasMessageContaining("of JVM heap")
                    .hasMessageContaining("but 0.2 MB of the heap is free (fixed budget: heap 0.2 MB, system unlimited)");
            assertThat(seq.length()).isZero();
            assertThat(seq.cache().residentBytes()).isEqualTo(before);
            // The generation loop checks the whole request (prompt + new tokens) before its prefill.
            assertThatThrownBy(() -> engine.generator(lm).generate(ids(10, vocab, 2), GenerationOptions.greedy(400, Set.of()),
                    TokenListener.NONE)).isInstanceOf(InsufficientMemoryException.class).hasMessageContaining("409 positions");
            // A request that fits runs.
            assertThat(engine.generator(lm).generate(ids(10, vocab, 2), GenerationOptions.greedy(5, Set.of()), TokenListener.NONE)
                    .tokens()).hasSize(5);
        }
    }

    @Test
    void theBenchmarkPlansItsRunBeforeLoading(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("phi");
        new RandomModelWriter(ModelShape.parse("phi3:96,2,4,4,128,320"), 1, DType.BF16).write(model);
        try (QinsEngine engine = QinsEngine.builder().threads(1).kv("fp32").memoryBudget(MemoryBudget.fixed(4_000_000, 1L << 40))
                .build()) {
            Benchmark bench = new Benchmark(engine);
            assertThatThrownBy(() -> bench.run(model, "qins", Map.of(), "fp32", 131_000, 100, 0))
                    .hasMessageContaining("131000 tokens + 100 new tokens = 131100 positions exceed the model's context of 131072");
            // fp32 KV: 2 layers x 4 kv heads x 24 x 2 x 4 bytes = 1,536 bytes per position.
            assertThatThrownBy(() -> bench.run(model, "qins", Map.of(), "fp32", 4000, 10, 0))
                    .isInstanceOf(InsufficientMemoryException.class)
                    .hasMessageContaining("KV cache fp32 for 4,009 positions (1,536 bytes each)")
                    .hasMessageContaining("6.2 MB KV cache");
            assertThat(bench.run(model, "qins", Map.of(), "fp32", 20, 4, 0).kvBytesPerToken()).isEqualTo(1536);
        }
    }
}
