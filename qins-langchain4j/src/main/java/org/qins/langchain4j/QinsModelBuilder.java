package org.qins.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.List;

/** Default request parameters of a {@link QinsChatModel} or {@link QinsStreamingChatModel}; requests may override each. */
public final class QinsModelBuilder<M> {

    interface Factory<M> {
        M create(QinsLocalModel model, ChatRequestParameters defaults, Long seed);
    }

    private final QinsLocalModel model;
    private final Factory<M> factory;
    private Double temperature = 0.7;
    private Double topP;
    private Integer maxOutputTokens;
    private List<String> stop = List.of();
    private Long seed;

    QinsModelBuilder(QinsLocalModel model, Factory<M> factory) {
        this.model = model;
        this.factory = factory;
    }

    /** 0 = greedy (default 0.7). */
    public QinsModelBuilder<M> temperature(Double temperature) {
        this.temperature = temperature;
        return this;
    }

    public QinsModelBuilder<M> topP(Double topP) {
        this.topP = topP;
        return this;
    }

    /** Default: whatever the model's context leaves after the conversation. */
    public QinsModelBuilder<M> maxOutputTokens(Integer maxOutputTokens) {
        this.maxOutputTokens = maxOutputTokens;
        return this;
    }

    public QinsModelBuilder<M> stopSequences(List<String> stop) {
        this.stop = List.copyOf(stop);
        return this;
    }

    /** A fixed sampling seed (default: a random one per request). */
    public QinsModelBuilder<M> seed(Long seed) {
        this.seed = seed;
        return this;
    }

    public M build() {
        ChatRequestParameters defaults = DefaultChatRequestParameters.builder().modelName(model.name()).temperature(temperature)
                .topP(topP).maxOutputTokens(maxOutputTokens).stopSequences(stop).build();
        return factory.create(model, defaults, seed);
    }
}
