package org.qins.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;

/**
 * A LangChain4j {@link StreamingChatModel} that runs the model in this process: each request runs
 * on its own virtual thread and hands text to the handler as it becomes final (whole UTF-8
 * characters, stop sequences cut). A handler may cancel through
 * {@code PartialResponseContext.streamingHandle()}: generation stops before the next token and
 * the handler hears nothing more.
 */
public final class QinsStreamingChatModel implements StreamingChatModel {

    private final QinsLocalModel model;
    private final ChatRequestParameters defaults;
    private final Long seed;

    QinsStreamingChatModel(QinsLocalModel model, ChatRequestParameters defaults, Long seed) {
        this.model = model;
        this.defaults = defaults;
        this.seed = seed;
    }

    public static QinsModelBuilder<QinsStreamingChatModel> builder(QinsLocalModel model) {
        return new QinsModelBuilder<>(model, QinsStreamingChatModel::new);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        var messages = Requests.messages(request);
        var settings = Requests.settings(request.parameters(), seed);
        Handle handle = new Handle();
        PartialResponseContext context = new PartialResponseContext(handle);
        Thread.ofVirtual().name("qins-langchain4j-stream").start(() -> {
            try {
                QinsLocalModel.Answer a = model.answer(messages, settings, piece -> {
                    if (!handle.isCancelled()) {
                        handler.onPartialResponse(new PartialResponse(piece), context);
                    }
                }, handle::isCancelled);
                if (!handle.isCancelled()) {
                    handler.onCompleteResponse(Requests.response(a, model.name()));
                }
            } catch (RuntimeException e) {
                if (!handle.isCancelled()) {
                    handler.onError(e);
                }
            }
        });
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    private static final class Handle implements StreamingHandle {
        private volatile boolean cancelled;

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }
}
