package org.qins.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.TokenStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.chat.ChatMessage;
import org.qins.transformer.chat.ChatSession;
import org.qins.transformer.chat.ChatTemplate;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.GenerationResult;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * The adapters through LangChain4j's own AiServices on the tiny-llama fixture (with a chat
 * template): an assistant's answer is the engine's greedy continuation of the templated
 * conversation, streamed or whole, with chat memory across turns.
 */
class AiServicesTest {

    static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}<|{{ m.role }}|>{{ m.content }}</s>{% endfor %}"
            + "{% if add_generation_prompt %}<|assistant|>{% endif %}";

    interface Assistant {
        @SystemMessage("be brief")
        String chat(String message);
    }

    interface Plain {
        String chat(String message);
    }

    interface StreamingAssistant {
        @SystemMessage("be brief")
        TokenStream chat(String message);
    }

    @TempDir
    static Path tmp;
    static Path dir;
    static QinsEngine engine;
    static QinsLocalModel local;

    @BeforeAll
    static void load() throws Exception {
        dir = tmp.resolve("tiny-chat");
        Files.createDirectories(dir);
        Path fixture = Path.of(System.getProperty("qins.fixtures", "../qins-it/src/test/resources/fixtures"), "tiny-llama");
        try (Stream<Path> files = Files.list(fixture)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(dir.resolve("tokenizer_config.json").toFile());
        cfg.put("chat_template", TEMPLATE);
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), cfg);
        engine = QinsEngine.builder().threads(2).linear("fp32").kv("fp32").build();
        local = QinsLocalModel.load(engine, dir);
    }

    @AfterAll
    static void close() {
        local.close();
        engine.close();
    }

    /** The engine's own greedy answer to {@code messages}, as text (stop token left out), and its token count. */
    static Expected expected(List<ChatMessage> messages, int maxTokens) {
        try (CausalLm lm = engine.load(dir); Tokenizer tokenizer = Tokenizer.load(dir)) {
            ChatTemplate template = ChatTemplate.load(dir);
            int[] prompt = tokenizer.encodeVerbatim(template.render(messages, true));
            Set<Integer> stops = ChatSession.stopTokens(lm, tokenizer, template);
            GenerationResult r = engine.generator(lm).generate(prompt, GenerationOptions.greedy(maxTokens, stops), (s, t, l) -> { });
            int[] tokens = r.stoppedOnEos() ? java.util.Arrays.copyOf(r.tokens(), r.tokens().length - 1) : r.tokens();
            return new Expected(tokenizer.decode(tokens), prompt.length, r.tokens().length, r.stoppedOnEos());
        }
    }

    record Expected(String text, int promptTokens, int tokens, boolean stopped) {
    }

    @Test
    void anAssistantAnswersWithTheEnginesGreedyContinuation() {
        Assistant a = AiServices.create(Assistant.class, QinsChatModel.builder(local).temperature(0.0).maxOutputTokens(30).build());
        Expected e = expected(List.of(ChatMessage.system("be brief"), ChatMessage.user("hello there")), 30);
        assertThat(a.chat("hello there")).isEqualTo(e.text());
    }

    @Test
    void aChatModelReportsUsageAndFinishReason() {
        var model = QinsChatModel.builder(local).temperature(0.0).build();
        ChatResponse r = model.chat(ChatRequest.builder().messages(dev.langchain4j.data.message.UserMessage.from("hello"))
                .maxOutputTokens(12).build());
        Expected e = expected(List.of(ChatMessage.user("hello")), 12);
        assertThat(r.aiMessage().text()).isEqualTo(e.text());
        assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(e.promptTokens());
        assertThat(r.tokenUsage().outputTokenCount()).isEqualTo(e.tokens());
        assertThat(r.finishReason()).isEqualTo(e.stopped() ? FinishReason.STOP : FinishReason.LENGTH);
        assertThat(r.modelName()).isEqualTo("tiny-chat");
    }

    @Test
    void chatMemoryCarriesTheConversationIntoTheNextTurn() {
        Plain a = AiServices.builder(Plain.class).chatModel(QinsChatModel.builder(local).temperature(0.0).maxOutputTokens(16).build())
                .chatMemory(MessageWindowChatMemory.withMaxMessages(10)).build();
        String first = a.chat("hello there");
        String second = a.chat("how is the weather");
        assertThat(first).isEqualTo(expected(List.of(ChatMessage.user("hello there")), 16).text());
        assertThat(second).isEqualTo(expected(List.of(ChatMessage.user("hello there"), ChatMessage.assistant(first),
                ChatMessage.user("how is the weather")), 16).text());
    }

    @Test
    void aStreamingAssistantStreamsTheSameAnswer() throws Exception {
        StreamingAssistant a = AiServices.builder(StreamingAssistant.class)
                .streamingChatModel(QinsStreamingChatModel.builder(local).temperature(0.0).maxOutputTokens(30).build()).build();
        List<String> pieces = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        a.chat("hello there").onPartialResponse(pieces::add).onCompleteResponse(done::complete).onError(done::completeExceptionally)
                .start();
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        Expected e = expected(List.of(ChatMessage.system("be brief"), ChatMessage.user("hello there")), 30);
        assertThat(pieces.size()).isGreaterThan(1);
        assertThat(String.join("", pieces)).isEqualTo(e.text());
        assertThat(r.aiMessage().text()).isEqualTo(e.text());
        assertThat(r.tokenUsage().outputTokenCount()).isEqualTo(e.tokens());
    }

    @Test
    void aStopSequenceCutsTheAnswer() {
        var model = QinsChatModel.builder(local).temperature(0.0).maxOutputTokens(40).build();
        String whole = model.chat("hello there");
        assertThat(whole.length()).isGreaterThan(10);
        String stop = whole.substring(6, 9);
        ChatResponse r = model.chat(ChatRequest.builder().messages(dev.langchain4j.data.message.UserMessage.from("hello there"))
                .stopSequences(List.of(stop)).build());
        assertThat(r.aiMessage().text()).isEqualTo(whole.substring(0, whole.indexOf(stop)));
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void aCancelledStreamHearsNothingMoreAndTheModelAnswersTheNextRequest() throws Exception {
        var model = QinsStreamingChatModel.builder(local).temperature(0.0).maxOutputTokens(200).build();
        List<String> pieces = new CopyOnWriteArrayList<>();
        List<Object> ends = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        model.chat("hello there", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                pieces.add(partial.text());
                if (pieces.size() == 2) {
                    context.streamingHandle().cancel();
                    cancelled.complete(null);
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                ends.add(response);
            }

            @Override
            public void onError(Throwable error) {
                ends.add(error);
            }
        });
        cancelled.get(60, TimeUnit.SECONDS);
        String next = QinsChatModel.builder(local).temperature(0.0).maxOutputTokens(5).build().chat("hi"); // the lock was released
        assertThat(next).isNotNull();
        Thread.sleep(50);
        assertThat(pieces).hasSize(2);
        assertThat(ends).isEmpty();
    }

    @Test
    void toolsAreRefused() {
        var model = QinsChatModel.builder(local).build();
        ChatRequest withTools = ChatRequest.builder().messages(dev.langchain4j.data.message.UserMessage.from("hi"))
                .toolSpecifications(dev.langchain4j.agent.tool.ToolSpecification.builder().name("clock").build()).build();
        assertThatThrownBy(() -> model.chat(withTools)).isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("tools");
    }
}
