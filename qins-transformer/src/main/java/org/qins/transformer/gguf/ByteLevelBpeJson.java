package org.qins.transformer.gguf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.qins.transformer.tokenizer.TokenizerException;

/**
 * {@code tokenizer.ggml.model = gpt2}: byte-level BPE with {@code tokenizer.ggml.merges} ("a b" strings).
 * The pre-tokenizer follows {@code tokenizer.ggml.pre} as the Hugging Face tokenizers of those models split
 * text: {@code gpt-2} (GPT-2's regex inside ByteLevel), {@code llama-bpe} (Llama 3's split, merges ignored for
 * whole words in the vocabulary, as both llama.cpp and transformers do) and {@code qwen2} (NFC, Qwen2's split).
 */
final class ByteLevelBpeJson {

    static final Set<String> GPT2 = Set.of("gpt-2");
    static final Set<String> LLAMA3 = Set.of("llama-bpe", "llama3", "llama-v3");
    static final Set<String> QWEN2 = Set.of("qwen2", "deepseek-r1-qwen");
    static final String MERGES = "tokenizer.ggml.merges";
    static final String PRE = "tokenizer.ggml.pre";
    /** The splitting regexes of the original tokenizer.json files. */
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private ByteLevelBpeJson() {
    }

    static ObjectNode build(GgufMetadata m, GgufVocab.Vocab v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        String pre = m.optionalString(PRE).orElse("default");
        boolean gpt2 = GPT2.contains(pre);
        boolean llama3 = LLAMA3.contains(pre);
        if (!gpt2 && !llama3 && !QWEN2.contains(pre)) {
            throw new TokenizerException(m.file() + ": metadata '" + PRE + "' is '" + pre + "'; supported pre-tokenizers: gpt-2,"
                    + " llama-bpe (llama3), qwen2");
        }
        ObjectNode t = f.objectNode();
        t.put("version", "1.0");
        t.set("added_tokens", v.addedTokens(false));
        t.set("normalizer", QWEN2.contains(pre) ? f.objectNode().put("type", "NFC") : null);
        t.set("pre_tokenizer", gpt2 ? byteLevel(true) : f.objectNode().put("type", "Sequence").set("pretokenizers",
                f.arrayNode().add(split(llama3 ? LLAMA3_REGEX : QWEN2_REGEX)).add(byteLevel(false))));
        t.putNull("post_processor");
        t.set("decoder", byteLevel(true));
        ObjectNode model = t.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", llama3);
        model.set("vocab", v.vocabObject());
        model.set("merges", merges(m));
        return t;
    }

    private static ObjectNode byteLevel(boolean useRegex) {
        return JsonNodeFactory.instance.objectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
                .put("use_regex", useRegex);
    }

    private static ObjectNode split(String regex) {
        ObjectNode s = JsonNodeFactory.instance.objectNode().put("type", "Split");
        s.putObject("pattern").put("Regex", regex);
        return s.put("behavior", "Isolated").put("invert", false);
    }

    private static ArrayNode merges(GgufMetadata m) {
        List<String> merges = m.strings(MERGES);
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < merges.size(); i++) {
            String s = merges.get(i);
            int sp = s.indexOf(' ');
            if (sp <= 0 || sp == s.length() - 1 || s.indexOf(' ', sp + 1) >= 0) {
                throw new TokenizerException(m.file() + ": metadata '" + MERGES + "' entry " + i + " '" + s
                        + "' is not two tokens separated by one space");
            }
            a.add(JsonNodeFactory.instance.arrayNode().add(s.substring(0, sp)).add(s.substring(sp + 1)));
        }
        return a;
    }
}
