package org.qins.transformer.gguf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.qins.transformer.tokenizer.TokenizerException;

/**
 * A GGUF vocabulary ({@code tokenizer.ggml.*}) as the Hugging Face {@code tokenizer.json} and
 * {@code tokenizer_config.json} that tokenize text the same way: {@code tokenizer.ggml.model} {@code llama}
 * (SentencePiece with scores: {@link SentencePieceJson}) or {@code gpt2} (byte-level BPE with merges:
 * {@link ByteLevelBpeJson}). Control (and SentencePiece's unknown) tokens become special added tokens,
 * user-defined ones plain added tokens. BOS is added as llama.cpp adds it ({@code tokenizer.ggml.add_bos_token},
 * else its default for the vocabulary type); the chat template is {@code tokenizer.chat_template}.
 */
public final class GgufVocab {

    static final String MODEL = "tokenizer.ggml.model";
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String TYPES = "tokenizer.ggml.token_type";
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int BYTE = 6;

    private GgufVocab() {
    }

    /** True when the file carries a vocabulary. */
    public static boolean present(GgufMetadata m) {
        return m.has(MODEL) && m.has(TOKENS);
    }

    public static ObjectNode tokenizerJson(GgufMetadata m) {
        Vocab v = Vocab.read(m);
        String model = m.string(MODEL);
        return switch (model) {
            case "llama" -> SentencePieceJson.build(m, v);
            case "gpt2" -> ByteLevelBpeJson.build(m, v);
            default -> throw new TokenizerException(m.file() + ": metadata '" + MODEL + "' is '" + model
                    + "'; supported: llama (SentencePiece), gpt2 (byte-level BPE)");
        };
    }

    /** BOS, EOS and UNK by text, whether BOS is added, and the chat template. */
    public static ObjectNode tokenizerConfig(GgufMetadata m) {
        Vocab v = Vocab.read(m);
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        token(m, v, c, "bos_token", "tokenizer.ggml.bos_token_id");
        token(m, v, c, "eos_token", "tokenizer.ggml.eos_token_id");
        token(m, v, c, "unk_token", "tokenizer.ggml.unknown_token_id");
        boolean spm = m.string(MODEL).equals("llama");
        String pre = m.optionalString("tokenizer.ggml.pre").orElse("default");
        boolean bosByDefault = spm || ByteLevelBpeJson.LLAMA3.contains(pre);
        boolean addBos = m.bool("tokenizer.ggml.add_bos_token", bosByDefault);
        if (addBos && !c.has("bos_token")) {
            throw new TokenizerException(m.file() + ": the vocabulary adds BOS but metadata 'tokenizer.ggml.bos_token_id' is missing");
        }
        c.put("add_bos_token", addBos);
        if (m.bool("tokenizer.ggml.add_eos_token", false)) {
            throw new TokenizerException(m.file() + ": metadata 'tokenizer.ggml.add_eos_token' is true; appending EOS to every"
                    + " prompt is not supported");
        }
        m.optionalString("tokenizer.chat_template").ifPresent(t -> c.put("chat_template", t));
        return c;
    }

    private static void token(GgufMetadata m, Vocab v, ObjectNode c, String field, String key) {
        m.optionalInteger(key, 0).ifPresent(id -> c.put(field, v.token(id, key)));
    }

    /** An added_tokens entry of tokenizer.json. */
    static ObjectNode added(int id, String content, boolean special) {
        ObjectNode t = JsonNodeFactory.instance.objectNode();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", special);
        return t;
    }

    /** The tokens and their types. */
    record Vocab(GgufMetadata m, List<String> tokens, int[] types) {

        static Vocab read(GgufMetadata m) {
            List<String> tokens = m.strings(TOKENS);
            int[] types = m.has(TYPES) ? m.ints(TYPES) : new int[tokens.size()];
            if (!m.has(TYPES)) {
                java.util.Arrays.fill(types, NORMAL);
            }
            if (types.length != tokens.size()) {
                throw new TokenizerException(m.file() + ": metadata '" + TYPES + "' has " + types.length + " entries for "
                        + tokens.size() + " tokens");
            }
            return new Vocab(m, tokens, types);
        }

        String token(int id, String key) {
            if (id >= tokens.size()) {
                throw new TokenizerException(m.file() + ": metadata '" + key + "' is " + id + ", beyond the " + tokens.size() + " tokens");
            }
            return tokens.get(id);
        }

        /** The vocab object (token to id) and the added tokens. */
        ObjectNode vocabObject() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < tokens.size(); i++) {
                if (o.has(tokens.get(i))) {
                    throw new TokenizerException(m.file() + ": token " + i + " '" + tokens.get(i) + "' appears twice in '" + TOKENS + "'");
                }
                o.put(tokens.get(i), i);
            }
            return o;
        }

        /** Control (and, when {@code unknownIsSpecial}, unknown) tokens as special, user-defined ones as plain added tokens. */
        ArrayNode addedTokens(boolean unknownIsSpecial) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < tokens.size(); i++) {
                int t = types[i];
                if (t == CONTROL || (unknownIsSpecial && t == UNKNOWN) || t == USER_DEFINED) {
                    a.add(added(i, tokens.get(i), t != USER_DEFINED));
                }
            }
            return a;
        }
    }
}
