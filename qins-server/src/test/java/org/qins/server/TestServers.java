package org.qins.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.qins.server.batch.BatchScheduler;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.chat.ChatTemplate;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.GenerationResult;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.tokenizer.StreamDecoder;
import org.qins.transformer.tokenizer.Tokenizer;

/** The tiny-llama fixture with a chat template, served in process on a free loopback port, and an HTTP client for it. */
final class TestServers {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Jetty and Javalin announce every start and stop at INFO; held here because java.util.logging keeps loggers weakly. */
    private static final java.util.logging.Logger JETTY = quiet("org.eclipse.jetty");
    private static final java.util.logging.Logger JAVALIN = quiet("io.javalin");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
        l.setLevel(java.util.logging.Level.WARNING);
        return l;
    }
    static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}<|{{ m.role }}|>{{ m.content }}</s>{% endfor %}"
            + "{% if add_generation_prompt %}<|assistant|>{% endif %}";

    private TestServers() {
    }

    static Path fixture(String name) {
        return Path.of(System.getProperty("qins.fixtures", "../qins-it/src/test/resources/fixtures"), name);
    }

    /** A copy of tiny-llama whose tokenizer_config.json has {@link #TEMPLATE}. */
    static Path chatModel(Path dir) {
        try {
            Path out = dir.resolve("tiny-chat");
            Files.createDirectories(out);
            try (Stream<Path> files = Files.list(fixture("tiny-llama"))) {
                for (Path f : files.toList()) {
                    Files.copy(f, out.resolve(f.getFileName()));
                }
            }
            ObjectNode cfg = (ObjectNode) JSON.readTree(out.resolve("tokenizer_config.json").toFile());
            cfg.put("chat_template", TEMPLATE);
            JSON.writeValue(out.resolve("tokenizer_config.json").toFile(), cfg);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BatchScheduler.Limits limits(int maxSequences, int maxQueue, int prefillChunk) {
        return new BatchScheduler.Limits(maxSequences, 512, maxQueue, prefillChunk);
    }

    /** A model and a server over it, closed together. */
    static final class Running implements AutoCloseable {
        final QinsEngine engine;
        final CausalLm lm;
        final Tokenizer tokenizer;
        final ServedModel served;
        final QinsServer server;
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

        Running(Path model, ServerConfig config) {
            engine = QinsEngine.builder().threads(2).linear("fp32").kv("fp32").build();
            lm = engine.load(model);
            tokenizer = Tokenizer.load(model);
            ChatTemplate template = Files.isRegularFile(model.resolve("tokenizer_config.json"))
                    && model.getFileName().toString().equals("tiny-chat") ? ChatTemplate.load(model) : null;
            served = new ServedModel("tiny", lm, tokenizer, template);
            server = QinsServer.start(config, served, engine.kvCache());
        }

        static Running start(Path model, BatchScheduler.Limits limits, String apiKey) {
            return new Running(model, new ServerConfig("127.0.0.1", 0, apiKey, limits, Duration.ofSeconds(5)));
        }

        String url(String path) {
            return server.url() + path;
        }

        HttpResponse<String> post(String path, String body, String... headers) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
            if (headers.length > 0) {
                b.headers(headers);
            }
            return send(b.build());
        }

        HttpResponse<String> get(String path, String... headers) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60)).GET();
            if (headers.length > 0) {
                b.headers(headers);
            }
            return send(b.build());
        }

        private HttpResponse<String> send(HttpRequest r) {
            try {
                return http.send(r, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        JsonNode health() {
            return json(get("/health").body());
        }

        /** The {@code data:} payloads of a streamed answer, in order. */
        List<String> stream(String path, String body) {
            HttpResponse<String> r = post(path, body);
            if (r.statusCode() != 200) {
                throw new AssertionError("HTTP " + r.statusCode() + ": " + r.body());
            }
            List<String> data = new ArrayList<>();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
            return data;
        }

        /**
         * What the engine's single-sequence loop answers for {@code prompt}, greedy, as the server's
         * text: pieces of a {@link StreamDecoder}, the stop token left out.
         */
        Reference solo(int[] prompt, int maxTokens, Set<Integer> stops) {
            GenerationResult r = engine.generator(lm).generate(prompt, GenerationOptions.greedy(maxTokens, stops), (s, t, l) -> { });
            StreamDecoder d = new StreamDecoder(tokenizer);
            StringBuilder text = new StringBuilder();
            int[] tokens = r.tokens();
            int n = r.stoppedOnEos() ? tokens.length - 1 : tokens.length;
            for (int i = 0; i < n; i++) {
                text.append(d.push(tokens[i]));
            }
            text.append(d.flush());
            return new Reference(text.toString(), tokens.length, r.stoppedOnEos() ? "stop" : "length");
        }

        @Override
        public void close() {
            server.stop();
            tokenizer.close();
            lm.close();
            engine.close();
        }
    }

    /** A single-sequence answer: its text, the tokens sampled (a stop token included), and why it ended. */
    record Reference(String text, int completionTokens, String finishReason) {
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(s, e);
        }
    }

    /** The concatenated {@code delta.content} (chat) or {@code text} (completions) of streamed chunks. */
    static String streamedText(List<String> data) {
        StringBuilder b = new StringBuilder();
        for (String d : data) {
            if (d.equals("[DONE]")) {
                continue;
            }
            JsonNode c = json(d).path("choices").path(0);
            b.append(c.has("delta") ? c.path("delta").path("content").asText("") : c.path("text").asText(""));
        }
        return b.toString();
    }
}
