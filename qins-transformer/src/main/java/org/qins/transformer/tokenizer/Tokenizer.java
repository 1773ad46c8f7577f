package org.qins.transformer.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust tokenizers library (DJL; the native
 * library ships inside the jar, so this works offline). BOS follows {@code tokenizer_config.json}:
 * when it says {@code add_bos_token}, we encode without the post-processor's specials and
 * prepend BOS ourselves (so true and false both hold); when it says nothing, the
 * {@code tokenizer.json} post-processor decides, as transformers does.
 */
public final class Tokenizer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer hf;
    private final Boolean addBos;
    private final int bosId;

    private final Map<String, Integer> tokenIds;

    private Tokenizer(HuggingFaceTokenizer hf, Boolean addBos, int bosId, Map<String, Integer> tokenIds) {
        this.hf = hf;
        this.tokenIds = tokenIds;
        this.addBos = addBos;
        this.bosId = bosId;
    }

    public static Tokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(modelDir + ": no tokenizer.json (use --prompt-ids to give token ids)");
        }
        try {
            JsonNode tok = JSON.readTree(file.toFile());
            Path cfgFile = modelDir.resolve("tokenizer_config.json");
            JsonNode cfg = Files.isRegularFile(cfgFile) ? JSON.readTree(cfgFile.toFile()) : JSON.createObjectNode();
            Boolean addBos = cfg.hasNonNull("add_bos_token") ? cfg.get("add_bos_token").asBoolean() : null;
            int bosId = -1;
            String bos = tokenText(cfg.get("bos_token"));
            if (bos != null) {
                for (JsonNode t : tok.path("added_tokens")) {
                    if (bos.equals(t.path("content").asText())) {
                        bosId = t.path("id").asInt();
                    }
                }
            }
            if (Boolean.TRUE.equals(addBos) && bosId < 0) {
                throw new IllegalArgumentException(cfgFile + ": add_bos_token is true but bos_token '" + bos
                        + "' is not an added token of " + file);
            }
            Map<String, String> options = new HashMap<>();
            options.put("addSpecialTokens", String.valueOf(addBos == null));
            options.put("truncation", "false");
            options.put("padding", "false");
            options.put("maxLength", String.valueOf(Integer.MAX_VALUE));
            Map<String, Integer> ids = new HashMap<>();
            JsonNode vocab = tok.path("model").path("vocab");
            if (vocab.isObject()) {
                vocab.properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
            }
            for (JsonNode t : tok.path("added_tokens")) {
                ids.put(t.path("content").asText(), t.path("id").asInt());
            }
            return new Tokenizer(HuggingFaceTokenizer.newInstance(file, options), addBos, bosId, Map.copyOf(ids));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** bos_token is a string, or an AddedToken object with "content". */
    private static String tokenText(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return n.isTextual() ? n.asText() : n.path("content").asText(null);
    }

    /** Token ids of {@code text}, BOS prepended when the tokenizer config asks for it. */
    public int[] encode(String text) {
        long[] ids = hf.encode(text).getIds();
        boolean bos = Boolean.TRUE.equals(addBos) && (ids.length == 0 || ids[0] != bosId);
        int[] out = new int[ids.length + (bos ? 1 : 0)];
        int k = 0;
        if (bos) {
            out[k++] = bosId;
        }
        for (long id : ids) {
            out[k++] = (int) id;
        }
        return out;
    }

    /**
     * Token ids of {@code text} exactly as written, without adding BOS or any other special token
     * (a chat template writes its own): as transformers' {@code apply_chat_template} tokenizes.
     */
    public int[] encodeVerbatim(String text) {
        long[] ids = hf.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** The id of a single token given by its text (an added token such as {@code <|end|>}, or a vocabulary entry), or -1. */
    public int tokenId(String token) {
        Integer id = token == null ? null : tokenIds.get(token);
        return id == null ? -1 : id;
    }

    /** Text of {@code ids}; special tokens (BOS, EOS) are left out. */
    public String decode(int[] ids, int from, int to) {
        long[] l = new long[to - from];
        for (int i = from; i < to; i++) {
            l[i - from] = ids[i];
        }
        return hf.decode(l, true);
    }

    public String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    /** The BOS id from the tokenizer config, or -1. */
    public int bosId() {
        return bosId;
    }

    @Override
    public void close() {
        hf.close();
    }
}
