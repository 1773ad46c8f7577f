package org.qins.it.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.GenerationResult;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.parallel.WorkerPool;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;

/** Generation on tiny-llama: greedy equals the reference, EOS stops, a seed reproduces sampling. */
class GenerationTest {

    private static WorkerPool pool;
    private static CausalLm model;
    private static LlmRef ref;

    @BeforeAll
    static void load() {
        pool = new WorkerPool(2);
        model = Engines.loadFp32(Engines.fixture("tiny-llama"), pool);
        ref = ReferenceFile.read(Engines.fixture("tiny-llama").resolve("reference.json"));
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
        pool.close();
    }

    private static GenerationResult run(GenerationOptions o) {
        return new Generator(model, Engines.fp32Kv()).generate(ref.prompts().get(1).prompt(), o, (s, t, l) -> { });
    }

    @Test
    void greedyReproducesTheReferenceTokens() {
        GenerationResult r = run(GenerationOptions.greedy(50, Set.of()));
        assertThat(r.tokens()).isEqualTo(java.util.Arrays.copyOf(ref.prompts().get(1).greedyTokens(), 50));
        assertThat(r.stoppedOnEos()).isFalse();
    }

    @Test
    void stopsAtTheFirstStopToken() {
        int[] expected = ref.prompts().get(1).greedyTokens();
        int stop = expected[9];
        int first = 0;
        while (expected[first] != stop) {
            first++;
        }
        GenerationResult r = run(GenerationOptions.greedy(50, Set.of(stop, 100000)));
        assertThat(r.stoppedOnEos()).isTrue();
        assertThat(r.tokens()).hasSize(first + 1).endsWith(stop);
        // The model's configured EOS is id 2; the reference continuation never emits it here, so the run goes on.
        assertThat(model.config().eosTokenIds()).containsExactly(2);
    }

    @Test
    void aSeedReproducesASampledRun() {
        GenerationOptions a = new GenerationOptions(40, 0.8f, 0.95f, 1234, Set.of());
        GenerationResult first = run(a);
        GenerationResult second = run(a);
        GenerationResult other = run(new GenerationOptions(40, 0.8f, 0.95f, 999, Set.of()));
        assertThat(second.tokens()).isEqualTo(first.tokens());
        assertThat(other.tokens()).isNotEqualTo(first.tokens());
    }

    @Test
    void aStopRequestEndsTheRunAfterTheTokenJustGiven() {
        int[] expected = ref.prompts().get(1).greedyTokens();
        int[] seen = new int[1];
        GenerationResult r = new Generator(model, Engines.fp32Kv()).continueSequence(
                model.newSequence(Engines.fp32Kv(), 64), ref.prompts().get(1).prompt(), GenerationOptions.greedy(50, Set.of()),
                (s, t, l) -> seen[0]++, () -> seen[0] == 7);
        assertThat(r.tokens()).isEqualTo(java.util.Arrays.copyOf(expected, 7));
        assertThat(r.stoppedOnEos()).isFalse();
    }
}
