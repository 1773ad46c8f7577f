package org.qins.transformer.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.qins.transformer.tokenizer.Tokenizer;
import org.qins.transformer.tokenizer.TokenizerException;

/**
 * Fuzzes tokenizer loading: tokenizer.json (read by us and by the native tokenizers library) and
 * tokenizer_config.json, mutated one at a time; an accepted tokenizer must also encode and decode.
 */
class TokenizerFuzzTest {

    static final String[] KEYS = {"added_tokens", "id", "content", "special", "model", "type", "vocab", "merges", "unk_token",
        "pre_tokenizer", "post_processor", "decoder", "normalizer", "single", "pair", "special_tokens", "ids", "tokens",
        "add_bos_token", "bos_token", "eos_token", "byte_fallback", "dropout", "add_prefix_space", "use_regex", "truncation", "padding"};
    private static final String TOKENIZER = "tokenizer.json";
    private static final String CONFIG = "tokenizer_config.json";

    static final class Target implements FuzzTarget {

        @Override
        public String name() {
            return "tokenizer";
        }

        /** Each *-tokenizer.json with the *-tokenizer_config.json of the same prefix, or the default config; other configs with the BPE seed. */
        @Override
        public List<FuzzInput> corpus() {
            List<FuzzInput> out = new ArrayList<>();
            byte[] config = Corpus.read(Corpus.dir(name()).resolve(CONFIG));
            byte[] bpe = Corpus.read(Corpus.dir(name()).resolve("bpe-tokenizer.json"));
            java.util.Set<String> paired = new java.util.HashSet<>();
            for (Path p : Corpus.files(name(), "-" + TOKENIZER)) {
                String prefix = p.getFileName().toString().substring(0, p.getFileName().toString().length() - TOKENIZER.length());
                Path own = p.resolveSibling(prefix + CONFIG);
                if (java.nio.file.Files.exists(own)) {
                    paired.add(own.getFileName().toString());
                }
                out.add(new FuzzInput(p.getFileName().toString(), Map.of(TOKENIZER, Corpus.read(p),
                        CONFIG, java.nio.file.Files.exists(own) ? Corpus.read(own) : config)));
            }
            for (Path p : Corpus.files(name(), "-" + CONFIG)) {
                if (!paired.contains(p.getFileName().toString())) {
                    out.add(new FuzzInput(p.getFileName().toString(), Map.of(TOKENIZER, bpe, CONFIG, Corpus.read(p))));
                }
            }
            return out;
        }

        @Override
        public FuzzInput mutate(Random r, FuzzInput seed, List<FuzzInput> corpus) {
            String file = r.nextInt(10) < 7 ? TOKENIZER : CONFIG;
            byte[] in = seed.files().get(file);
            byte[] json = r.nextInt(4) != 0 ? JsonMutations.mutate(r, in, KEYS) : null;
            List<byte[]> others = corpus.stream().map(c -> c.files().get(file)).toList();
            return seed.with("mutated " + file + " of " + seed.origin(), file, json != null ? json : ByteMutations.mutate(r, in, others));
        }

        @Override
        public void run(Path dir) {
            try (Tokenizer t = Tokenizer.load(dir)) {
                int[] ids = t.encode("hello world, the café ✓ <s>");
                t.decode(ids);
                t.encodeVerbatim("<s>hello</s>");
                t.tokenId("<s>");
            }
        }

        @Override
        public Class<? extends RuntimeException> clearError() {
            return TokenizerException.class;
        }
    }

    @Test
    void theCorpusAndSeededMutationsEndAcceptedOrWithAClearError() {
        FuzzReport r = FuzzRunner.run(new Target(), FuzzRunner.seed(29), FuzzRunner.iterations(500), 10_000);
        assertThat(r.findings()).isEmpty();
        assertThat(r.accepted()).isPositive();
        assertThat(r.refused()).isPositive();
    }
}
