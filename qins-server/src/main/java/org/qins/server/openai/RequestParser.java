package org.qins.server.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.qins.transformer.chat.ChatMessage;

/**
 * Reads and checks OpenAI request bodies. Known fields must have their documented types and
 * ranges (a 400 naming the field otherwise); features this server does not have (tools, log
 * probabilities, penalties, several choices) are refused by name rather than ignored; fields it
 * does not know are ignored, as OpenAI-compatible servers do.
 */
public final class RequestParser {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    static {
        // Bounded nesting and lengths: a hostile body fails fast instead of exhausting the stack.
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private RequestParser() {
    }

    public static ChatCompletionRequest chat(byte[] body) {
        JsonNode root = object(body);
        JsonNode msgs = root.get("messages");
        if (msgs == null || msgs.isNull()) {
            throw ApiException.invalid("messages", "'messages' is required");
        }
        if (!msgs.isArray() || msgs.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array of messages");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) {
            messages.add(message(msgs.get(i), "messages[" + i + "]"));
        }
        if (bool(root, "logprobs", false)) {
            throw ApiException.invalid("logprobs", "'logprobs' is not supported by this server");
        }
        if (present(root, "top_logprobs")) {
            throw ApiException.invalid("top_logprobs", "'top_logprobs' is not supported by this server");
        }
        emptyArray(root, "tools");
        emptyArray(root, "functions");
        JsonNode choice = root.get("tool_choice");
        if (choice != null && !choice.isNull() && !(choice.isTextual() && Set.of("none", "auto").contains(choice.asText()))) {
            throw ApiException.invalid("tool_choice", "tools are not supported by this server: 'tool_choice' may only be \"none\"");
        }
        JsonNode format = root.get("response_format");
        if (format != null && !format.isNull() && !(format.isObject() && "text".equals(format.path("type").asText()))) {
            throw ApiException.invalid("response_format", "only 'response_format' {\"type\": \"text\"} is supported");
        }
        Sampling s = sampling(root, true);
        return new ChatCompletionRequest(string(root, "model"), messages, s);
    }

    public static CompletionRequest completion(byte[] body) {
        JsonNode root = object(body);
        JsonNode prompt = root.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw ApiException.invalid("prompt", "'prompt' is required");
        }
        if (prompt.isArray() && prompt.size() == 1 && (prompt.get(0).isTextual() || prompt.get(0).isArray())) {
            prompt = prompt.get(0);
        }
        String text = null;
        int[] ids = null;
        if (prompt.isTextual()) {
            text = prompt.asText();
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            ids = new int[prompt.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode t = prompt.get(i);
                if (!t.isIntegralNumber() || !t.canConvertToInt()) {
                    throw ApiException.invalid("prompt", "'prompt' must be a string, or an array of token ids (integers); "
                            + "one prompt per request (element " + i + " is " + kind(t) + ")");
                }
                ids[i] = t.intValue();
            }
        } else {
            throw ApiException.invalid("prompt", "'prompt' must be a string or a non-empty array of token ids, got " + kind(prompt));
        }
        if (bool(root, "echo", false)) {
            throw ApiException.invalid("echo", "'echo' is not supported by this server");
        }
        if (present(root, "suffix")) {
            throw ApiException.invalid("suffix", "'suffix' is not supported by this server");
        }
        Long bestOf = integer(root, "best_of");
        if (bestOf != null && bestOf != 1) {
            throw ApiException.invalid("best_of", "'best_of' must be 1, got " + bestOf);
        }
        JsonNode logprobs = root.get("logprobs");
        if (logprobs != null && !logprobs.isNull() && !(logprobs.isIntegralNumber() && logprobs.asLong() == 0)) {
            throw ApiException.invalid("logprobs", "'logprobs' is not supported by this server");
        }
        Sampling s = sampling(root, false);
        return new CompletionRequest(string(root, "model"), text, ids, s);
    }

    private static JsonNode object(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.invalid(null, "the body cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw ApiException.invalid(null, "the body is empty: send a JSON object");
        }
        if (!root.isObject()) {
            throw ApiException.invalid(null, "the body must be a JSON object, got " + kind(root));
        }
        return root;
    }

    private static ChatMessage message(JsonNode m, String where) {
        if (!m.isObject()) {
            throw ApiException.invalid(where, "'" + where + "' must be an object with 'role' and 'content', got " + kind(m));
        }
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) {
            throw ApiException.invalid(where + ".role", "'" + where + ".role' must be a string");
        }
        String r = role.asText();
        if (!ROLES.contains(r)) {
            throw ApiException.invalid(where + ".role", "role '" + r + "' is not supported (system, developer, user, assistant)");
        }
        JsonNode content = m.get("content");
        String text;
        if (content == null || content.isNull()) {
            if (!r.equals("assistant")) {
                throw ApiException.invalid(where + ".content", "'" + where + ".content' is required");
            }
            text = "";
        } else if (content.isTextual()) {
            text = content.asText();
        } else if (content.isArray()) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                String type = part.path("type").asText("");
                if (!type.equals("text") || !part.path("text").isTextual()) {
                    throw ApiException.invalid(where + ".content[" + i + "]", "only text content parts ({\"type\": \"text\", "
                            + "\"text\": ...}) are supported, got " + (type.isEmpty() ? kind(part) : "type '" + type + "'"));
                }
                b.append(part.get("text").asText());
            }
            text = b.toString();
        } else {
            throw ApiException.invalid(where + ".content", "'" + where + ".content' must be a string or an array of text parts, got "
                    + kind(content));
        }
        if (m.hasNonNull("tool_calls") || m.hasNonNull("function_call")) {
            throw ApiException.invalid(where, "tool calls are not supported by this server");
        }
        return new ChatMessage(r.equals("developer") ? "system" : r, text);
    }

    private static Sampling sampling(JsonNode root, boolean chat) {
        Double temperature = number(root, "temperature");
        if (temperature != null && !(temperature >= 0 && temperature <= 2)) {
            throw ApiException.invalid("temperature", "'temperature' must be between 0 and 2, got " + temperature);
        }
        Double topP = number(root, "top_p");
        if (topP != null && !(topP >= 0 && topP <= 1)) {
            throw ApiException.invalid("top_p", "'top_p' must be between 0 and 1, got " + topP);
        }
        Long maxTokens = integer(root, "max_tokens");
        String maxName = "max_tokens";
        if (chat) {
            Long mct = integer(root, "max_completion_tokens");
            if (mct != null) {
                maxTokens = mct;
                maxName = "max_completion_tokens";
            }
        }
        if (maxTokens != null && (maxTokens < 1 || maxTokens > Integer.MAX_VALUE)) {
            throw ApiException.invalid(maxName, "'" + maxName + "' must be at least 1, got " + maxTokens);
        }
        Long n = integer(root, "n");
        if (n != null && n != 1) {
            throw ApiException.invalid("n", "'n' must be 1 (one choice per request), got " + n);
        }
        for (String penalty : List.of("frequency_penalty", "presence_penalty")) {
            Double p = number(root, penalty);
            if (p != null && !(p >= -2 && p <= 2)) {
                throw ApiException.invalid(penalty, "'" + penalty + "' must be between -2 and 2, got " + p);
            }
            if (p != null && p != 0) {
                throw ApiException.invalid(penalty, "'" + penalty + "' is not supported by this server (only 0)");
            }
        }
        JsonNode bias = root.get("logit_bias");
        if (bias != null && !bias.isNull() && !(bias.isObject() && bias.isEmpty())) {
            throw ApiException.invalid("logit_bias", "'logit_bias' is not supported by this server");
        }
        string(root, "user");
        boolean stream = bool(root, "stream", false);
        boolean includeUsage = false;
        JsonNode options = root.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw ApiException.invalid("stream_options", "'stream_options' must be an object, got " + kind(options));
            }
            includeUsage = bool(options, "include_usage", false);
        }
        return new Sampling(temperature == null ? 1f : temperature.floatValue(), topP == null ? 1f : topP.floatValue(),
                maxTokens == null ? null : maxTokens.intValue(), maxName, stops(root), integer(root, "seed"), stream, includeUsage);
    }

    private static List<String> stops(JsonNode root) {
        JsonNode stop = root.get("stop");
        List<String> out = new ArrayList<>();
        if (stop == null || stop.isNull()) {
            return out;
        }
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray()) {
            if (stop.size() > 4) {
                throw ApiException.invalid("stop", "'stop' takes at most 4 strings, got " + stop.size());
            }
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw ApiException.invalid("stop", "'stop' must be a string or an array of strings, found " + kind(s));
                }
                out.add(s.asText());
            }
        } else {
            throw ApiException.invalid("stop", "'stop' must be a string or an array of strings, got " + kind(stop));
        }
        for (String s : out) {
            if (s.isEmpty()) {
                throw ApiException.invalid("stop", "'stop' strings must not be empty");
            }
        }
        return out;
    }

    private static boolean present(JsonNode root, String field) {
        return root.hasNonNull(field);
    }

    private static void emptyArray(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n != null && !n.isNull() && !(n.isArray() && n.isEmpty())) {
            throw ApiException.invalid(field, "'" + field + "' (tool calling) is not supported by this server");
        }
    }

    private static String string(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.invalid(field, "'" + field + "' must be a string, got " + kind(n));
        }
        return n.asText();
    }

    private static Double number(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw ApiException.invalid(field, "'" + field + "' must be a number, got " + kind(n));
        }
        double d = n.asDouble();
        if (!Double.isFinite(d)) {
            throw ApiException.invalid(field, "'" + field + "' must be a finite number, got " + n.asText());
        }
        return d;
    }

    private static Long integer(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber()) {
            throw ApiException.invalid(field, "'" + field + "' must be an integer, got " + kind(n));
        }
        if (!n.canConvertToLong()) {
            throw ApiException.invalid(field, "'" + field + "' is out of range: " + n.asText());
        }
        return n.asLong();
    }

    private static boolean bool(JsonNode root, String field, boolean absent) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isBoolean()) {
            throw ApiException.invalid(field, "'" + field + "' must be a boolean, got " + kind(n));
        }
        return n.asBoolean();
    }

    /** What a JSON value is, for messages: "a string (\"abc\")", "a number (3)", "an object", ... */
    private static String kind(JsonNode n) {
        String v = n.toString();
        String shown = v.length() > 40 ? v.substring(0, 40) + "..." : v;
        return switch (n.getNodeType()) {
            case STRING -> "a string (" + shown + ")";
            case NUMBER -> "a number (" + shown + ")";
            case BOOLEAN -> "a boolean (" + shown + ")";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
