package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
 * {@code qins serve} as a process on loopback: LangChain4j's OpenAI client chats and streams
 * against it, and SIGTERM during a running stream ends the stream with an error chunk or its
 * finish and the process with exit status 0.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeCommandTest {

    private static final String KEY = "test-key";
    private static final Pattern SERVING = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+)/v1");

    @TempDir
    static Path tmp;
    static Path model;
    static Process server;
    static String url;
    static Path output;

    @BeforeAll
    static void start() throws Exception {
        model = ChatCommandTest.copyWithTemplate(tmp);
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        output = tmp.resolve("serve.log");
        // Output to a file, not a pipe: a pipe's last lines can be lost when the process exits while a thread reads it.
        server = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), QinsCommand.class.getName(), "serve", "--model", model.toString(),
                "--port", "0", "--linear", "fp32", "--kv", "fp32", "--threads", "2", "--api-key", KEY, "--shutdown-grace", "0",
                "--prefill-chunk", "1").redirectErrorStream(true).redirectOutput(output.toFile()).start();
        long until = System.nanoTime() + 120_000_000_000L;
        while (url == null) {
            Matcher m = SERVING.matcher(Files.readString(output));
            if (m.find()) {
                url = m.group(1);
            } else if (!server.isAlive() || System.nanoTime() > until) {
                throw new AssertionError("qins serve did not start: " + Files.readString(output));
            } else {
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void kill() {
        if (server.isAlive()) {
            server.destroyForcibly();
        }
    }

    private static String expected(String user, int maxTokens) {
        try (QinsEngine engine = QinsEngine.builder().threads(1).linear("fp32").kv("fp32").build(); CausalLm lm = engine.load(model);
                Tokenizer tokenizer = Tokenizer.load(model)) {
            ChatTemplate template = ChatTemplate.load(model);
            int[] prompt = tokenizer.encodeVerbatim(template.render(List.of(ChatMessage.user(user)), true));
            GenerationResult r = engine.generator(lm).generate(prompt,
                    GenerationOptions.greedy(maxTokens, ChatSession.stopTokens(lm, tokenizer, template)), (s, t, l) -> { });
            int[] tokens = r.stoppedOnEos() ? java.util.Arrays.copyOf(r.tokens(), r.tokens().length - 1) : r.tokens();
            return tokenizer.decode(tokens);
        }
    }

    @Test
    @Order(1)
    void langChain4jsOpenAiClientChats() {
        ChatModel chat = OpenAiChatModel.builder().baseUrl(url + "/v1").apiKey(KEY).modelName("chat-llama").temperature(0.0)
                .maxTokens(24).timeout(Duration.ofSeconds(60)).build();
        assertThat(chat.chat("hello there")).isEqualTo(expected("hello there", 24));
    }

    @Test
    @Order(2)
    void langChain4jsOpenAiClientStreams() throws Exception {
        StreamingChatModel chat = OpenAiStreamingChatModel.builder().baseUrl(url + "/v1").apiKey(KEY).modelName("chat-llama")
                .temperature(0.0).maxTokens(24).timeout(Duration.ofSeconds(60)).build();
        List<String> pieces = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        chat.chat("hello there", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                pieces.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        String text = expected("hello there", 24);
        assertThat(pieces.size()).isGreaterThan(1);
        assertThat(String.join("", pieces)).isEqualTo(text);
        assertThat(r.aiMessage().text()).isEqualTo(text);
        assertThat(r.tokenUsage().outputTokenCount()).isPositive();
    }

    @Test
    @Order(3)
    void aWrongKeyIsRefusedByTheClient() {
        ChatModel chat = OpenAiChatModel.builder().baseUrl(url + "/v1").apiKey("wrong").modelName("chat-llama").maxRetries(0).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> chat.chat("hi")).hasMessageContaining("Incorrect API key");
    }

    @Test
    @Order(4)
    void sigtermEndsRunningStreamsAndExitsZero() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // A 300-token prompt fed one token per step (--prefill-chunk 1): still running when SIGTERM comes.
        String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "hi ".repeat(100) + "\"}], \"max_tokens\": 100, "
                + "\"stream\": true}";
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        server.destroy(); // SIGTERM
        List<String> data = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
        }
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> log = Files.readAllLines(output);
        assertThat(server.exitValue()).as(String.join("\n", log)).isZero();
        assertThat(data).isNotEmpty();
        String last = data.getLast();
        if (!last.equals("[DONE]")) {
            JsonNode error = new ObjectMapper().readTree(last).path("error");
            assertThat(error.path("message").asText()).isEqualTo("the server is shutting down");
        }
        assertThat(log).anyMatch(l -> l.startsWith("memory plan: weights"));
        assertThat(log).contains("stopped");
    }
}
