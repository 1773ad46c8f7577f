package org.qins.transformer.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.config.RopeScaling;
import org.qins.transformer.source.ModelSource;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * Every fixture written as a GGUF file the way llama.cpp's converter writes it, read back through
 * {@link ModelSource}: the same config, every tensor bit for bit under its Hugging Face name (Llama's
 * permuted q/k rows restored), and a tokenizer that gives the fixture's tokenizer.json ids and text.
 */
class GgufFixturesTest {

    static final List<String> TEXTS = List.of("Once upon a time", "Lily and Ben went to the park. They saw a big dog!",
            "  leading and   repeated   spaces ", "tabs\tand\nnew lines\n\n", "Hello, world! 123 café 日本 ✓", "", "the the the",
            "Tom's cat doesn't like it; \"quotes\" (brackets) [x] {y} 3.14159 -42", "x");

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        return Path.of(System.getProperty("qins.fixtures"), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama-tied", "tiny-llama3", "tiny-qwen2", "tiny-qwen3", "tiny-mistral", "tiny-phi3",
            "tiny-phi4mini", "tiny-stories-1m"})
    void aFixtureReadsBackFromItsGgufCopy(String name) throws IOException {
        Path dir = fixture(name);
        Path gguf = HfToGguf.write(dir, tmp.resolve(name + ".gguf"), HfToGguf.Type.F32);
        ModelSource hf = ModelSource.of(dir);
        ModelSource g = ModelSource.of(gguf);
        assertThat(g).isNotEqualTo(hf).extracting(ModelSource::path).isEqualTo(gguf);
        ModelConfig a = hf.config();
        ModelConfig b = g.config();
        assertSameConfig(a, b);
        try (Checkpoint x = hf.openCheckpoint(a); Checkpoint y = g.openCheckpoint(b)) {
            assertThat(y.sortedNames()).isEqualTo(x.sortedNames());
            for (String n : x.tensorNames()) {
                TensorView t = x.tensor(n);
                TensorView u = y.tensor(n);
                assertThat(u.shape()).as(n).isEqualTo(t.shape());
                assertThat(u.data().toArray(ValueLayout.JAVA_BYTE)).as(n).isEqualTo(t.data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        try (Tokenizer x = hf.tokenizer(); Tokenizer y = g.tokenizer()) {
            for (String text : TEXTS) {
                int[] ids = x.encode(text);
                assertThat(y.encode(text)).as(text).isEqualTo(ids);
                assertThat(y.encodeVerbatim(text)).as(text).isEqualTo(x.encodeVerbatim(text));
                assertThat(y.decode(ids)).as(text).isEqualTo(x.decode(ids));
            }
            assertThat(y.bosId()).isEqualTo(x.bosId());
            assertThat(y.tokenId("</s>")).isEqualTo(x.tokenId("</s>"));
        }
    }

    static void assertSameConfig(ModelConfig a, ModelConfig b) {
        assertThat(b.architecture()).isEqualTo(a.architecture());
        assertThat(List.of(b.hiddenSize(), b.intermediateSize(), b.layers(), b.heads(), b.kvHeads(), b.headDim(), b.vocabSize(),
                b.maxPositionEmbeddings(), b.slidingWindow(), b.bosTokenId()))
                .isEqualTo(List.of(a.hiddenSize(), a.intermediateSize(), a.layers(), a.heads(), a.kvHeads(), a.headDim(), a.vocabSize(),
                        a.maxPositionEmbeddings(), a.slidingWindow(), a.bosTokenId()));
        assertThat(b.rmsNormEps()).isEqualTo(a.rmsNormEps());
        assertThat(b.tieWordEmbeddings()).isEqualTo(a.tieWordEmbeddings());
        assertThat(b.biases()).isEqualTo(a.biases());
        assertThat(b.eosTokenIds()).isEqualTo(a.eosTokenIds());
        assertThat((float) b.rope().theta()).isEqualTo((float) a.rope().theta());
        assertThat(b.rope().rotaryDim()).isEqualTo(a.rope().rotaryDim());
        assertThat((float) b.rope().attentionFactor()).isEqualTo((float) a.rope().attentionFactor());
        if (a.rope().scaling() instanceof RopeScaling.Llama3) {
            // llama.cpp stores Llama 3's scaling as per-frequency divisors: equal short and long LongRoPE factors
            RopeScaling.LongRope l = (RopeScaling.LongRope) b.rope().scaling();
            assertThat(l.shortFactor()).isEqualTo(l.longFactor());
            assertThat(l.originalMax()).isEqualTo(a.maxPositionEmbeddings());
        } else if (a.rope().scaling() instanceof RopeScaling.LongRope l) {
            RopeScaling.LongRope m = (RopeScaling.LongRope) b.rope().scaling();
            assertThat(m.shortFactor()).isEqualTo(l.shortFactor());
            assertThat(m.longFactor()).isEqualTo(l.longFactor());
            assertThat(m.originalMax()).isEqualTo(l.originalMax());
        } else {
            assertThat(b.rope().scaling()).isEqualTo(a.rope().scaling());
        }
    }
}
