package org.qins.transformer.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.source.ModelSource;
import org.qins.transformer.tokenizer.Tokenizer;
import org.qins.transformer.tokenizer.TokenizerException;

/** GGUF vocabularies that the fixtures do not have: SentencePiece merges by score and byte fallback; refused kinds. */
class GgufVocabTest {

    @TempDir
    Path dir;

    /** {@code <unk> <s> </s>}, the 256 byte tokens, then pieces with scores. */
    private GgufWriter spm(List<String> pieces, float[] pieceScores) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(GgufVocab.UNKNOWN, GgufVocab.CONTROL, GgufVocab.CONTROL));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(GgufVocab.BYTE);
        }
        tokens.addAll(pieces);
        pieces.forEach(p -> types.add(GgufVocab.NORMAL));
        float[] scores = new float[tokens.size()];
        System.arraycopy(pieceScores, 0, scores, 259, pieceScores.length);
        return new GgufWriter().string(GgufVocab.MODEL, "llama").strings(GgufVocab.TOKENS, tokens)
                .ints(GgufVocab.TYPES, types.stream().mapToInt(Integer::intValue).toArray()).floats(SentencePieceJson.SCORES, scores)
                .u32("tokenizer.ggml.bos_token_id", 1).u32("tokenizer.ggml.eos_token_id", 2).u32("tokenizer.ggml.unknown_token_id", 0);
    }

    private Tokenizer tokenizer(GgufWriter w) throws IOException {
        return ModelSource.of(w.write(dir.resolve("v.gguf"))).tokenizer();
    }

    @Test
    void sentencePieceMergesFollowTheScoresAndUnknownCharactersFallBackToBytes() throws IOException {
        // 259 ▁, 260 a, 261 b, 262 ab, 263 ▁a, 264 ▁ab: "ab" merges first (best score), then "▁" + "ab"
        try (Tokenizer t = tokenizer(spm(List.of("\u2581", "a", "b", "ab", "\u2581a", "\u2581ab"), new float[] {0, 0, 0, -1, -2, -3}))) {
            assertThat(t.encode("ab ab")).containsExactly(1, 264, 264);
            assertThat(t.encode("a")).containsExactly(1, 263);
            assertThat(t.encode("ba")).containsExactly(1, 259, 261, 260); // no piece "▁b", "ba"
            assertThat(t.encode("é")).containsExactly(1, 259, 3 + 0xC3, 3 + 0xA9); // UTF-8 bytes of é
            assertThat(t.decode(new int[] {1, 264, 264, 259, 3 + 0xC3, 3 + 0xA9})).isEqualTo("ab ab é");
        }
        // with "▁a" scored above "ab", "▁" + "a" merges first and "▁a" + "b" makes "▁ab"
        try (Tokenizer t = tokenizer(spm(List.of("\u2581", "a", "b", "ab", "\u2581a", "\u2581ab"), new float[] {0, 0, 0, -2, -1, -3}))) {
            assertThat(t.encode("ab")).containsExactly(1, 264);
            assertThat(t.encodeVerbatim("b")).containsExactly(259, 261);
        }
    }

    @Test
    void unsupportedVocabulariesAreRefusedNamingTheKey() throws IOException {
        GgufWriter bert = new GgufWriter().string(GgufVocab.MODEL, "bert").strings(GgufVocab.TOKENS, List.of("a"));
        assertThatThrownBy(() -> tokenizer(bert)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("v.gguf: metadata 'tokenizer.ggml.model' is 'bert'; supported: llama (SentencePiece), gpt2");
        GgufWriter pre = new GgufWriter().string(GgufVocab.MODEL, "gpt2").string(ByteLevelBpeJson.PRE, "falcon")
                .strings(GgufVocab.TOKENS, List.of("a")).strings(ByteLevelBpeJson.MERGES, List.of());
        assertThatThrownBy(() -> tokenizer(pre)).hasMessageContaining("metadata 'tokenizer.ggml.pre' is 'falcon'; supported pre-tokenizers:");
        GgufWriter merge = new GgufWriter().string(GgufVocab.MODEL, "gpt2").string(ByteLevelBpeJson.PRE, "gpt-2")
                .strings(GgufVocab.TOKENS, List.of("a", "b", "ab")).strings(ByteLevelBpeJson.MERGES, List.of("ab"));
        assertThatThrownBy(() -> tokenizer(merge)).hasMessageContaining("'tokenizer.ggml.merges' entry 0 'ab' is not two tokens");
        GgufWriter noScores = new GgufWriter().string(GgufVocab.MODEL, "llama").strings(GgufVocab.TOKENS, List.of("a", "b"))
                .floats(SentencePieceJson.SCORES, new float[] {0});
        assertThatThrownBy(() -> tokenizer(noScores)).hasMessageContaining("'tokenizer.ggml.scores' has 1 entries for 2 tokens");
        GgufWriter none = new GgufWriter().string("general.architecture", "llama");
        none.write(dir.resolve("none.gguf"));
        assertThat(ModelSource.of(dir.resolve("none.gguf")).hasTokenizer()).isFalse();
        assertThatThrownBy(() -> ModelSource.of(dir.resolve("none.gguf")).tokenizer())
                .hasMessageContaining("none.gguf: no vocabulary (tokenizer.ggml.*) in the file");
    }
}
