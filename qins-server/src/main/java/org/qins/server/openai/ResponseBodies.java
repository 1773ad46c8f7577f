package org.qins.server.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * The JSON bodies of the OpenAI API: {@code chat.completion}, {@code chat.completion.chunk},
 * {@code text_completion} (whole and streamed), the model list and errors.
 *
 * @param id      the response id ({@code chatcmpl-...} or {@code cmpl-...}), the same in every chunk
 * @param created seconds since the epoch
 * @param model   the served model's id
 */
public record ResponseBodies(String id, long created, String model) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static String error(ApiException e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("param", e.param());
        err.put("code", e.code());
        return write(root);
    }

    public static String models(String model, long created) {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list");
        ObjectNode m = root.putArray("data").addObject();
        m.put("id", model);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "qins");
        return write(root);
    }

    /** A whole chat answer. */
    public String chatCompletion(String text, String finishReason, Usage usage) {
        ObjectNode root = head("chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", text);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        usage(root, usage);
        return write(root);
    }

    /**
     * A streamed chat chunk: {@code role} in the first, {@code content} in those after, an empty
     * delta with the finish reason in the last; {@code usage: null} in each when the client asked
     * for a usage chunk at the end.
     */
    public String chatChunk(String role, String content, String finishReason, boolean withUsageField) {
        ObjectNode root = head("chat.completion.chunk");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (role != null) {
            delta.put("role", role);
        }
        if (content != null) {
            delta.put("content", content);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        if (withUsageField) {
            root.putNull("usage");
        }
        return write(root);
    }

    /** The last chunk of a stream that asked for {@code include_usage}: no choices, the usage. */
    public String usageChunk(String object, Usage usage) {
        ObjectNode root = head(object);
        root.putArray("choices");
        usage(root, usage);
        return write(root);
    }

    /** A whole text completion. */
    public String completion(String text, String finishReason, Usage usage) {
        ObjectNode root = head("text_completion");
        textChoice(root.putArray("choices"), text, finishReason);
        usage(root, usage);
        return write(root);
    }

    /** A streamed text completion chunk (same object type as the whole one, as OpenAI streams it). */
    public String completionChunk(String text, String finishReason, boolean withUsageField) {
        ObjectNode root = head("text_completion");
        textChoice(root.putArray("choices"), text, finishReason);
        if (withUsageField) {
            root.putNull("usage");
        }
        return write(root);
    }

    private static void textChoice(ArrayNode choices, String text, String finishReason) {
        ObjectNode choice = choices.addObject();
        choice.put("text", text);
        choice.put("index", 0);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
    }

    private ObjectNode head(String object) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    private static void usage(ObjectNode root, Usage usage) {
        ObjectNode u = root.putObject("usage");
        u.put("prompt_tokens", usage.promptTokens());
        u.put("completion_tokens", usage.completionTokens());
        u.put("total_tokens", usage.totalTokens());
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
