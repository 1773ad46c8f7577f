package org.qins.it.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.generate.Sampler;
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
}
