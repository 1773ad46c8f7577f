package org.qins.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * A LangChain4j {@link ChatModel} that runs the model in this process (no HTTP). Requests'
 * temperature, top-p, max output tokens and stop sequences are honoured; tools, JSON response
 * formats, top-k and penalties are refused with {@code UnsupportedFeatureException}.
 *
 * <pre>{@code
 * try (QinsEngine engine = QinsEngine.builder().build(); QinsLocalModel local = QinsLocalModel.load(engine, dir)) {
 *     ChatModel model = QinsChatModel.builder(local).temperature(0.0).build();
 *     Assistant a = AiServices.create(Assistant.class, model);
 * }
 * }</pre>
 */
public final class QinsChatModel implements ChatModel {

    private final QinsLocalModel model;
    private final ChatRequestParameters defaults;
    private final Long seed;

    QinsChatModel(QinsLocalModel model, ChatRequestParameters defaults, Long seed) {
        this.model = model;
        this.defaults = defaults;
        this.seed = seed;
    }

    public static QinsModelBuilder<QinsChatModel> builder(QinsLocalModel model) {
        return new QinsModelBuilder<>(model, QinsChatModel::new);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        QinsLocalModel.Answer a = model.answer(Requests.messages(request), Requests.settings(request.parameters(), seed), piece -> { },
                () -> false);
        return Requests.response(a, model.name());
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }
}
