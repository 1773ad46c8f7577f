package org.qins.transformer.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks of tokenizer.json for what the native tokenizers library accepts when it reads the file
 * but then panics on while encoding, which aborts the whole JVM (a Rust panic does not cross JNI).
 * Found by fuzzing (TokenizerFuzzTest): a TemplateProcessing post-processor is deserialized without
 * the checks its builder makes, so a template naming a special token it does not define, or a
 * single-sequence template using sequence B, crashes the first encode; a BPE merge whose second
 * token is shorter than the continuing-subword prefix crashes the load.
 */
final class NativeGuards {

    private NativeGuards() {
    }

    static void check(Path file, JsonNode tokenizer) {
        postProcessor(file, tokenizer.path("post_processor"), "post_processor");
        merges(file, tokenizer.path("model"));
    }

    /**
     * With a {@code continuing_subword_prefix}, the library builds each merged token from the second
     * token with the prefix's byte length cut off, and panics when that token is shorter or the cut
     * falls inside a character.
     */
    private static void merges(Path file, JsonNode model) {
        JsonNode prefix = model.path("continuing_subword_prefix");
        int p = prefix.isTextual() ? prefix.textValue().getBytes(StandardCharsets.UTF_8).length : 0;
        if (p == 0) {
            return;
        }
        for (JsonNode m : model.path("merges")) {
            String second = null;
            if (m.isTextual() && m.textValue().indexOf(' ') >= 0) {
                second = m.textValue().substring(m.textValue().indexOf(' ') + 1);
            } else if (m.isArray() && m.size() == 2 && m.get(1).isTextual()) {
                second = m.get(1).textValue();
            }
            byte[] b = second == null ? null : second.getBytes(StandardCharsets.UTF_8);
            if (b != null && (b.length < p || (b.length > p && (b[p] & 0xC0) == 0x80))) {
                throw refuse(file, "model.merges entry " + m + " has a second token that does not begin with whole characters"
                        + " of continuing_subword_prefix " + prefix);
            }
        }
    }

    /**
     * The library matches post-processors by shape as well as by {@code type} (a TemplateProcessing
     * whose "type" key is misspelt still loads), so they are recognised here by their fields too.
     */
    private static void postProcessor(Path file, JsonNode p, String where) {
        if (!p.isObject()) {
            return;
        }
        JsonNode list = p.path("processors");
        for (int i = 0; i < list.size(); i++) {
            postProcessor(file, list.get(i), where + ".processors[" + i + "]");
        }
        if (p.has("single") || p.has("pair") || p.has("special_tokens") || p.path("type").asText("").equals("TemplateProcessing")) {
            template(file, p, where);
        }
    }

    private static void template(Path file, JsonNode p, String where) {
        Set<String> defined = new HashSet<>();
        JsonNode special = p.path("special_tokens");
        for (var e : special.properties()) {
            JsonNode ids = e.getValue().path("ids");
            JsonNode tokens = e.getValue().path("tokens");
            if (ids.isArray() && tokens.isArray() && ids.size() != tokens.size()) {
                throw refuse(file, where + ".special_tokens['" + e.getKey() + "'] has " + ids.size() + " ids but " + tokens.size()
                        + " tokens");
            }
            defined.add(e.getKey());
        }
        for (String template : new String[] {"single", "pair"}) {
            boolean hasA = false;
            boolean hasB = false;
            for (JsonNode piece : p.path(template)) {
                JsonNode token = piece.path("SpecialToken").path("id");
                if (token.isTextual() && !defined.contains(token.textValue())) {
                    throw refuse(file, where + "." + template + " uses special token '" + token.textValue()
                            + "', which special_tokens does not define");
                }
                String seq = piece.path("Sequence").path("id").asText("");
                hasA |= seq.equals("A");
                hasB |= seq.equals("B");
            }
            if (template.equals("single") && hasB) {
                throw refuse(file, where + ".single uses sequence B, which a single sequence does not have");
            }
            if (template.equals("pair") && p.has("pair") && !(hasA && hasB)) {
                throw refuse(file, where + ".pair must use both sequences A and B");
            }
        }
    }

    private static TokenizerException refuse(Path file, String what) {
        return new TokenizerException(file + ": " + what + " (the tokenizers library would crash the process on it)");
    }
}
