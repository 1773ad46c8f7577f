package org.qins.transformer.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.qins.transformer.io.JsonErrors;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust tokenizers library (DJL; the native
 * library ships inside the jar, so this works offline). BOS follows {@code tokenizer_config.json}:
 * when it says {@code add_bos_token}, we encode without the post-processor's specials and
 * prepend BOS ourselves (so true and false both hold); when it says nothing, the
 * {@code tokenizer.json} post-processor decides, as transformers does.
 */
public final class Tokenizer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Deepest nesting of tokenizer.json accepted (real ones nest about 6 deep): the native library
     * panics, aborting the JVM, on a decoder nested past its parser's recursion limit of 128.
     */
    static final int MAX_DEPTH = 64;
    /**
     * tokenizer.json is read with nesting bounded and duplicate keys refused: the native library acts
     * on the first of two equal keys and Jackson keeps the last, so the checks here would look at
     * another tokenizer than the one the library builds (found by fuzzing: a second "model" hid a BPE
     * that crashes the JVM).
     */
    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** A text with ASCII, accents, CJK and a symbol: a tokenizer that cannot encode it is refused at load. */
    static final String PROBE = "Hello, world! 123 café 日本 ✓";

    private final Path file;
    private final HuggingFaceTokenizer hf;
    private final Boolean addBos;
    private final int bosId;

    private final Map<String, Integer> tokenIds;

    private Tokenizer(Path file, HuggingFaceTokenizer hf, Boolean addBos, int bosId, Map<String, Integer> tokenIds) {
        this.file = file;
        this.hf = hf;
        this.tokenIds = tokenIds;
        this.addBos = addBos;
        this.bosId = bosId;
    }

    public static Tokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new TokenizerException(modelDir + ": no tokenizer.json (use --prompt-ids to give token ids)");
        }
        JsonNode tok = readObject(STRICT, file);
        Path cfgFile = modelDir.resolve("tokenizer_config.json");
        JsonNode cfg = Files.isRegularFile(cfgFile) ? readObject(JSON, cfgFile) : JSON.createObjectNode();
        return create(file, cfgFile, tok, cfg, options -> HuggingFaceTokenizer.newInstance(file, options));
    }

    /**
     * A tokenizer built from documents that another file holds ({@code source}, a GGUF file, named in errors):
     * {@code tokenizerJson} as a tokenizer.json and {@code tokenizerConfig} as a tokenizer_config.json.
     */
    public static Tokenizer fromJson(Path source, JsonNode tokenizerJson, JsonNode tokenizerConfig) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(tokenizerJson);
        } catch (IOException e) {
            throw new TokenizerException(source + ": cannot write its vocabulary as tokenizer.json: " + e.getMessage(), e);
        }
        return create(source, source, tokenizerJson, tokenizerConfig,
                options -> HuggingFaceTokenizer.newInstance(new java.io.ByteArrayInputStream(json), options));
    }

    /** How the native library is asked to build the tokenizer, given its options. */
    private interface NativeFactory {
        HuggingFaceTokenizer create(Map<String, String> options) throws IOException;
    }

    private static Tokenizer create(Path file, Path cfgFile, JsonNode tok, JsonNode cfg, NativeFactory factory) {
        NativeGuards.check(file, tok);
        JsonNode addBosNode = cfg.get("add_bos_token");
        if (addBosNode != null && !addBosNode.isNull() && !addBosNode.isBoolean()) {
            throw new TokenizerException(cfgFile + ": add_bos_token must be true or false, got " + addBosNode);
        }
        Boolean addBos = addBosNode == null || addBosNode.isNull() ? null : addBosNode.booleanValue();
        Map<String, Integer> ids = tokenIds(file, tok);
        String bos = tokenText(cfg.get("bos_token"));
        int bosId = bos == null ? -1 : ids.getOrDefault(bos, -1);
        if (Boolean.TRUE.equals(addBos) && bosId < 0) {
            throw new TokenizerException(cfgFile + ": add_bos_token is true but bos_token '" + bos
                    + "' is not a token of " + file);
        }
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", String.valueOf(addBos == null));
        options.put("truncation", "false");
        options.put("padding", "false");
        options.put("maxLength", String.valueOf(Integer.MAX_VALUE));
        HuggingFaceTokenizer hf;
        try {
            hf = factory.create(options);
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(file + ": the tokenizers library cannot load it: "
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " "), e);
        }
        try {
            hf.decode(hf.encode(PROBE).getIds(), true);
        } catch (RuntimeException e) {
            hf.close();
            throw new TokenizerException(file + ": loads, but the tokenizers library cannot encode and decode a test text with it: "
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " "), e);
        }
        return new Tokenizer(file, hf, addBos, bosId, Map.copyOf(ids));
    }

    private static JsonNode readObject(ObjectMapper json, Path file) {
        JsonNode n;
        try {
            n = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read: " + JsonErrors.describe(e), e);
        }
        if (n == null || !n.isObject()) {
            throw new TokenizerException(file + ": must hold a JSON object, got " + JsonErrors.kind(n));
        }
        return n;
    }

    /** Token text to id: the model's vocabulary (when it is a map) and the added tokens, which win. */
    private static Map<String, Integer> tokenIds(Path file, JsonNode tok) {
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = tok.path("model").path("vocab");
        if (vocab.isObject()) {
            vocab.properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
        }
        JsonNode added = tok.path("added_tokens");
        if (!added.isMissingNode() && !added.isNull() && !added.isArray()) {
            throw new TokenizerException(file + ": added_tokens must be a list, got " + added.getNodeType());
        }
        for (JsonNode t : added) {
            if (!t.path("content").isTextual() || !t.path("id").isIntegralNumber() || !t.path("id").canConvertToInt()
                    || t.path("id").intValue() < 0) {
                throw new TokenizerException(file + ": each added_tokens entry needs a string content and an id >= 0, got "
                        + abbreviate(t.toString()));
            }
            ids.put(t.get("content").textValue(), t.get("id").intValue());
        }
        return ids;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
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
        long[] ids;
        try {
            ids = hf.encode(text).getIds();
        } catch (RuntimeException e) {
            throw failed("encode", e);
        }
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
        long[] ids;
        try {
            ids = hf.encode(text, false, false).getIds();
        } catch (RuntimeException e) {
            throw failed("encode", e);
        }
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
        try {
            return hf.decode(l, true);
        } catch (RuntimeException e) {
            throw failed("decode", e);
        }
    }

    public String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    /** The BOS id from the tokenizer config, or -1. */
    public int bosId() {
        return bosId;
    }

    /** An error of the native library while using the tokenizer, with the file it came from. */
    private TokenizerException failed(String what, RuntimeException e) {
        return new TokenizerException(file + ": the tokenizers library failed to " + what + ": "
                + String.valueOf(e.getMessage()).replaceAll("\\s+", " "), e);
    }

    @Override
    public void close() {
        hf.close();
    }
}
