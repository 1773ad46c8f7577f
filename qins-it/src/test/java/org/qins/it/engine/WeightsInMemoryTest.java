package org.qins.it.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.codec.QinsWeightFormat;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.convert.ModelConverter;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;

/**
 * {@code --no-mmap} ({@code QinsEngine.Builder.weightsInMemory}): the weights the layers would read in place from the
 * mapped checkpoint are copied into memory at load. The same model computes the same logits (to the last bits: the
 * Vector API sums lanes in another order once C2 compiles a loop, so two runs in one JVM can differ in the last
 * place when other tests ran first), and the memory plan moves their bytes from "mapped" to "allocated".
 */
class WeightsInMemoryTest {

    private static float[][] run(QinsEngine engine, Path model, String linear, long[] mapped) {
        try (CausalLm lm = engine.load(model, linear, Map.of())) {
            mapped[0] = lm.mappedWeightBytes();
            int[] prompt = {1, 5, 9, 33};
            Sequence s = lm.newSequence(engine.kvCache(), prompt.length + 3);
            float[][] rows = new float[4][];
            rows[0] = s.prefill(prompt).clone();
            for (int i = 1; i < rows.length; i++) {
                rows[i] = s.step(org.qins.transformer.generate.Sampler.argmax(rows[i - 1], lm.config().vocabSize())).clone();
            }
            return rows;
        }
    }

    private static void sameLogitsAndNothingMapped(Path model, String linear) {
        long[] mappedRun = new long[1];
        long[] copiedRun = new long[1];
        float[][] mapped;
        float[][] copied;
        try (QinsEngine engine = QinsEngine.builder().threads(2).kv("fp32").build()) {
            mapped = run(engine, model, linear, mappedRun);
        }
        try (QinsEngine engine = QinsEngine.builder().threads(2).kv("fp32").weightsInMemory(true).build()) {
            copied = run(engine, model, linear, copiedRun);
        }
        assertThat(mappedRun[0]).as("%s on %s reads its weights in place by default", linear, model).isPositive();
        assertThat(copiedRun[0]).as("nothing read in place with the weights in memory").isZero();
        for (int i = 0; i < mapped.length; i++) {
            for (int v = 0; v < mapped[i].length; v++) {
                assertThat(copied[i][v]).as("%s step %d id %d", linear, i, v)
                        .isCloseTo(mapped[i][v], within(1e-5f * (1 + Math.abs(mapped[i][v]))));
            }
        }
    }

    @Test
    void floatWeightsCopiedIntoMemoryGiveTheSameLogits() {
        sameLogitsAndNothingMapped(Engines.fixture("tiny-llama"), "fp32");
        sameLogitsAndNothingMapped(Engines.fixture("tiny-llama-tied"), "fp32"); // the head is the embedding
    }

    @Test
    void qinsCodesCopiedIntoMemoryGiveTheSameLogits(@TempDir Path tmp) {
        Path converted = tmp.resolve("qins9");
        new ModelConverter(new QinsWeightFormat.Qins9(), ConversionOptions.of("qins9", Map.of()).withEncodeHead(true))
                .convert(Engines.fixture("tiny-llama"), converted, ConversionListener.NONE);
        sameLogitsAndNothingMapped(converted, "qins");
    }
}
