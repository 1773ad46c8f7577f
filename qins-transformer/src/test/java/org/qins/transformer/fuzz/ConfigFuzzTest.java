package org.qins.transformer.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.config.UnsupportedModelException;
import org.qins.transformer.model.Rope;

/**
 * Fuzzes config.json and generation_config.json. Beyond "no crash", an accepted config must give
 * finite math: positive sizes that divide as the model needs, eps > 0, and finite rotary
 * frequencies, angles and scaling up to the last position; anything else is a finding.
 */
class ConfigFuzzTest {

    static final String[] KEYS = {"architectures", "model_type", "hidden_size", "intermediate_size", "num_hidden_layers",
        "num_attention_heads", "num_key_value_heads", "head_dim", "vocab_size", "rms_norm_eps", "max_position_embeddings",
        "original_max_position_embeddings", "rope_theta", "rope_scaling", "rope_parameters", "rope_type", "type", "short_factor",
        "long_factor", "factor", "attention_factor", "partial_rotary_factor", "tie_word_embeddings", "bos_token_id", "eos_token_id",
        "hidden_act", "attention_bias", "mlp_bias"};
    private static final String CONFIG = "config.json";
    private static final String GENERATION = "generation_config.json";

    static final class Target implements FuzzTarget {

        @Override
        public String name() {
            return "config";
        }

        @Override
        public List<FuzzInput> corpus() {
            List<FuzzInput> out = new ArrayList<>();
            byte[] generation = Corpus.read(Corpus.dir(name()).resolve(GENERATION));
            for (Path p : Corpus.files(name(), ".json")) {
                if (!p.getFileName().toString().startsWith("generation")) {
                    out.add(FuzzInput.of(p.getFileName().toString(), CONFIG, Corpus.read(p)));
                    out.add(new FuzzInput(p.getFileName() + " + " + GENERATION, Map.of(CONFIG, Corpus.read(p), GENERATION, generation)));
                }
            }
            return out;
        }

        @Override
        public FuzzInput mutate(Random r, FuzzInput seed, List<FuzzInput> corpus) {
            String file = seed.files().containsKey(GENERATION) && r.nextInt(5) == 0 ? GENERATION : CONFIG;
            byte[] in = seed.files().get(file);
            byte[] json = r.nextInt(4) != 0 ? JsonMutations.mutate(r, in, KEYS) : null;
            List<byte[]> others = corpus.stream().map(c -> c.files().get(file)).filter(b -> b != null).toList();
            return seed.with("mutated " + file + " of " + seed.origin(), file, json != null ? json : ByteMutations.mutate(r, in, others));
        }

        @Override
        public void run(Path dir) {
            ModelConfig c = ConfigLoader.load(dir);
            check(c.hiddenSize() > 0 && c.intermediateSize() > 0 && c.layers() > 0 && c.vocabSize() > 0, "sizes", c);
            check(c.kvHeads() > 0 && c.heads() % c.kvHeads() == 0 && c.headDim() > 0 && c.qDim() > 0 && c.kvDim() > 0, "heads", c);
            check(c.rmsNormEps() > 0 && Float.isFinite(c.rmsNormEps()), "rms_norm_eps", c);
            check(c.maxPositionEmbeddings() > 0, "max_position_embeddings", c);
            check(c.eosTokenIds().stream().allMatch(id -> id >= 0 && id < c.vocabSize()), "eos ids", c);
            check(c.bosTokenId() >= -1 && c.bosTokenId() < c.vocabSize(), "bos id", c);
            Rope rope = new Rope(c.rope());
            check(Float.isFinite(rope.scaling()) && rope.scaling() > 0, "rope scaling", c);
            float last = c.maxPositionEmbeddings() - 1;
            for (int position : new int[] {0, c.maxPositionEmbeddings() - 1}) {
                for (float f : rope.frequenciesFor(position)) {
                    check(Float.isFinite(f) && Float.isFinite(f * last), "rope frequency " + f, c);
                }
            }
        }

        private static void check(boolean ok, String what, ModelConfig c) {
            if (!ok) {
                throw new AssertionError("accepted a config whose math is wrong or non-finite (" + what + "): " + c);
            }
        }

        @Override
        public Class<? extends RuntimeException> clearError() {
            return UnsupportedModelException.class;
        }
    }

    @Test
    void theCorpusAndSeededMutationsEndAcceptedOrWithAClearError() {
        FuzzReport r = FuzzRunner.run(new Target(), FuzzRunner.seed(23), FuzzRunner.iterations(2000), 10_000);
        assertThat(r.findings()).isEmpty();
        assertThat(r.accepted()).isPositive();
        assertThat(r.refused()).isPositive();
    }
}
