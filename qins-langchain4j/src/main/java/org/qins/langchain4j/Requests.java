package org.qins.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.qins.transformer.chat.ChatMessage;

/** Turns LangChain4j requests into the engine's messages and settings, and answers into LangChain4j responses. */
final class Requests {

    private Requests() {
    }

    static List<ChatMessage> messages(ChatRequest request) {
        List<ChatMessage> out = new ArrayList<>();
        for (dev.langchain4j.data.message.ChatMessage m : request.messages()) {
            switch (m) {
                case SystemMessage s -> out.add(ChatMessage.system(s.text()));
                case UserMessage u -> out.add(ChatMessage.user(text(u.contents())));
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests()) {
                        throw new UnsupportedFeatureException("tool calls are not supported by the QINS chat model");
                    }
                    out.add(ChatMessage.assistant(a.text() == null ? "" : a.text()));
                }
                default -> throw new UnsupportedFeatureException("messages of type " + m.type() + " are not supported by the QINS chat model");
            }
        }
        return out;
    }

    private static String text(List<Content> contents) {
        StringBuilder b = new StringBuilder();
        for (Content c : contents) {
            if (!(c instanceof TextContent t)) {
                throw new UnsupportedFeatureException("only text content is supported by the QINS chat model, got " + c.type());
            }
            b.append(t.text());
        }
        return b.toString();
    }

    /** The request's settings (its parameters already merged with the model's defaults by LangChain4j). */
    static QinsLocalModel.Settings settings(ChatRequestParameters p, Long seed) {
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("tools are not supported by the QINS chat model");
        }
        ResponseFormat format = p.responseFormat();
        if (format != null && format.type() != ResponseFormatType.TEXT) {
            throw new UnsupportedFeatureException("only text responses are supported by the QINS chat model");
        }
        if (p.topK() != null) {
            throw new UnsupportedFeatureException("top-k sampling is not supported by the QINS chat model (use top-p)");
        }
        if ((p.frequencyPenalty() != null && p.frequencyPenalty() != 0) || (p.presencePenalty() != null && p.presencePenalty() != 0)) {
            throw new UnsupportedFeatureException("frequency and presence penalties are not supported by the QINS chat model");
        }
        double temperature = p.temperature() == null ? 0.7 : p.temperature();
        double topP = p.topP() == null ? 1.0 : p.topP();
        if (temperature < 0 || temperature > 2 || topP <= 0 || topP > 1) {
            throw new IllegalArgumentException("temperature must be in [0, 2] and top-p in (0, 1], got " + temperature + " and " + topP);
        }
        return new QinsLocalModel.Settings(p.maxOutputTokens(), (float) temperature, (float) topP,
                seed != null ? seed : ThreadLocalRandom.current().nextLong(), p.stopSequences() == null ? List.of() : p.stopSequences());
    }

    static ChatResponse response(QinsLocalModel.Answer a, String modelName) {
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(a.text()))
                .modelName(modelName)
                .tokenUsage(new TokenUsage(a.promptTokens(), a.completionTokens()))
                .finishReason(switch (a.end()) {
                    case STOP_TOKEN, STOP_STRING -> FinishReason.STOP;
                    case LENGTH -> FinishReason.LENGTH;
                    case CANCELLED -> FinishReason.OTHER;
                })
                .build();
    }
}
