package org.qins.server.openai;

import java.util.List;
import org.qins.transformer.chat.ChatMessage;

/** A checked {@code POST /v1/chat/completions} body. {@code model} is null when the client left it out. */
public record ChatCompletionRequest(String model, List<ChatMessage> messages, Sampling sampling) {
}
