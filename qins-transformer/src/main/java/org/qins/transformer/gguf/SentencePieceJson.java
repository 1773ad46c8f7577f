package org.qins.transformer.gguf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.qins.transformer.tokenizer.TokenizerException;

/**
 * {@code tokenizer.ggml.model = llama}: a SentencePiece BPE vocabulary with scores, as transformers'
 * converter writes it for the tokenizers library: a BPE model whose merges come from the scores (every
 * split of a piece into two pieces of the vocabulary, the merges ordered by the score of the piece they
 * make, highest first), byte fallback when the vocabulary has {@code <0xXX>} byte tokens, unknown pieces
 * fused; the normalizer replaces spaces with U+2581 after prepending one ({@code add_space_prefix}, on
 * by default) and, with {@code remove_extra_whitespaces}, first strips and collapses spaces; the decoder
 * undoes that.
 */
final class SentencePieceJson {

    static final String SCORES = "tokenizer.ggml.scores";
    static final String SPACE = "\u2581";

    private SentencePieceJson() {
    }

    static ObjectNode build(GgufMetadata m, GgufVocab.Vocab v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        boolean prefix = m.bool("tokenizer.ggml.add_space_prefix", true);
        boolean collapse = m.bool("tokenizer.ggml.remove_extra_whitespaces", false);
        ObjectNode t = f.objectNode();
        t.put("version", "1.0");
        t.set("added_tokens", v.addedTokens(true));
        ArrayNode norms = f.arrayNode();
        if (collapse) {
            norms.add(f.objectNode().put("type", "Strip").put("strip_left", true).put("strip_right", true));
            norms.add(replace(true, " {2,}", " "));
        }
        if (prefix) {
            norms.add(f.objectNode().put("type", "Prepend").put("prepend", SPACE));
        }
        norms.add(replace(false, " ", SPACE));
        t.set("normalizer", f.objectNode().put("type", "Sequence").set("normalizers", norms));
        t.putNull("pre_tokenizer");
        t.putNull("post_processor");
        ArrayNode decoders = f.arrayNode().add(replace(false, SPACE, " ")).add(f.objectNode().put("type", "ByteFallback"))
                .add(f.objectNode().put("type", "Fuse"));
        if (prefix) {
            decoders.add(f.objectNode().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0));
        }
        t.set("decoder", f.objectNode().put("type", "Sequence").set("decoders", decoders));
        ObjectNode model = t.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        String unk = null;
        boolean bytes = false;
        for (int i = 0; i < v.types().length; i++) {
            unk = unk == null && v.types()[i] == GgufVocab.UNKNOWN ? v.tokens().get(i) : unk;
            bytes |= v.types()[i] == GgufVocab.BYTE;
        }
        if (unk == null) {
            model.putNull("unk_token");
        } else {
            model.put("unk_token", unk);
        }
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true);
        model.put("byte_fallback", bytes);
        model.put("ignore_merges", false);
        model.set("vocab", v.vocabObject());
        model.set("merges", merges(m, v));
        return t;
    }

    private static ObjectNode replace(boolean regex, String pattern, String content) {
        ObjectNode r = JsonNodeFactory.instance.objectNode().put("type", "Replace");
        r.putObject("pattern").put(regex ? "Regex" : "String", pattern);
        return r.put("content", content);
    }

    /** transformers' SentencePieceExtractor: merges from the vocabulary, ordered by the merged piece's score. */
    private static ArrayNode merges(GgufMetadata m, GgufVocab.Vocab v) {
        float[] scores = m.floats(SCORES);
        List<String> tokens = v.tokens();
        if (scores.length != tokens.size()) {
            throw new TokenizerException(m.file() + ": metadata '" + SCORES + "' has " + scores.length + " entries for "
                    + tokens.size() + " tokens");
        }
        Map<String, Integer> ids = new HashMap<>();
        java.util.Set<Integer> lengths = new java.util.HashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            ids.putIfAbsent(tokens.get(i), i);
            lengths.add(tokens.get(i).length());
        }
        record Merge(int left, int right, float score) {
        }
        List<Merge> all = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String piece = tokens.get(i);
            List<Merge> local = new ArrayList<>();
            for (int k = 1; k < piece.length(); k++) {
                // both halves must be pieces: only lengths some piece has are tried (bounds the work on long pieces)
                if (!lengths.contains(k) || !lengths.contains(piece.length() - k) || Character.isLowSurrogate(piece.charAt(k))) {
                    continue;
                }
                Integer l = ids.get(piece.substring(0, k));
                Integer r = ids.get(piece.substring(k));
                if (l != null && r != null) {
                    local.add(new Merge(l, r, scores[i]));
                }
            }
            local.sort(Comparator.comparingInt(Merge::left).thenComparingInt(Merge::right));
            all.addAll(local);
        }
        all.sort(Comparator.comparingDouble((Merge x) -> x.score()).reversed()); // stable, as Python's sort
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (Merge x : all) {
            a.add(JsonNodeFactory.instance.arrayNode().add(tokens.get(x.left())).add(tokens.get(x.right())));
        }
        return a;
    }
}
