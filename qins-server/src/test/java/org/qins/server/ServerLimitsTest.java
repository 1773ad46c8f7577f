package org.qins.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.qins.server.OpenAiApiTest.assertError;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.server.batch.BatchScheduler;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.tokenizer.Tokenizer;

/** API key, a full queue, a memory plan that does not fit, and a graceful stop with a stream running. */
class ServerLimitsTest {

    @TempDir
    Path tmp;

    @Test
    void aWrongOrMissingKeyIs401() {
        try (TestServers.Running s = TestServers.Running.start(TestServers.chatModel(tmp), TestServers.limits(2, 4, 64), "s3cret")) {
            String body = "{\"prompt\": \"hi\", \"max_tokens\": 2}";
            HttpResponse<String> none = s.post("/v1/completions", body);
            assertError(none, 401, "Incorrect API key");
            assertThat(TestServers.json(none.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
            assertError(s.post("/v1/completions", body, "Authorization", "Bearer wrong"), 401, "Incorrect API key");
            assertError(s.get("/v1/models", "Authorization", "s3cret"), 401, "Incorrect API key");
            assertThat(s.post("/v1/completions", body, "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
            assertThat(s.get("/v1/models", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
            assertThat(s.get("/health").statusCode()).isEqualTo(200); // health and the page stay open
        }
    }

    @Test
    void aFullQueueIs503WithRetryAfter() throws Exception {
        // One slot and one waiting place; twelve requests at once, each 150 steps long (prompt fed one token per step).
        try (TestServers.Running s = TestServers.Running.start(TestServers.chatModel(tmp), TestServers.limits(1, 1, 1), null);
                var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            int[] prompt = new int[100];
            Arrays.fill(prompt, 7);
            String body = "{\"prompt\": " + Arrays.toString(prompt) + ", \"max_tokens\": 50, \"temperature\": 0}";
            List<java.util.concurrent.Future<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                all.add(pool.submit(() -> s.post("/v1/completions", body)));
            }
            int ok = 0;
            int busy = 0;
            for (var f : all) {
                HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertError(r, 503, "the server is busy");
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                    assertThat(TestServers.json(r.body()).path("error").path("type").asText()).isEqualTo("server_error");
                    busy++;
                }
            }
            assertThat(ok).isGreaterThanOrEqualTo(2);
            assertThat(busy).isPositive();
            assertThat(ok + busy).isEqualTo(12);
            await(s, h -> h.path("running").asInt() == 0 && h.path("waiting").asInt() == 0);
        }
    }

    @Test
    void aClientThatGoesAwayFreesItsSlotForTheNextRequest() throws Exception {
        try (TestServers.Running s = TestServers.Running.start(TestServers.chatModel(tmp), TestServers.limits(1, 1, 1), null)) {
            int[] prompt = new int[400];
            Arrays.fill(prompt, 7);
            prompt[0] = 1;
            HttpRequest hold = HttpRequest.newBuilder(URI.create(s.url("/v1/completions"))).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"prompt\": " + Arrays.toString(prompt) + ", \"max_tokens\": 100, \"stream\": true}")).build();
            HttpResponse<java.io.InputStream> holder = s.http.send(hold, HttpResponse.BodyHandlers.ofInputStream());
            await(s, h -> h.path("running").asInt() == 1);
            CompletableFuture<HttpResponse<String>> queued = CompletableFuture.supplyAsync(
                    () -> s.post("/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 3}"));
            await(s, h -> h.path("waiting").asInt() == 1);
            holder.body().close(); // the holder's client goes away: its slot is freed, the queued request runs
            assertThat(queued.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            await(s, h -> h.path("running").asInt() == 0 && h.path("waiting").asInt() == 0);
            assertThat(s.health().path("generated_tokens").asLong()).isLessThan(100 + 3);
        }
    }

    @Test
    void aMemoryPlanThatDoesNotFitIsRefusedWithTheNumbers() {
        Path model = TestServers.chatModel(tmp);
        try (QinsEngine engine = QinsEngine.builder().threads(1).linear("fp32").kv("fp32").build(); CausalLm lm = engine.load(model);
                Tokenizer tokenizer = Tokenizer.load(model)) {
            ServedModel served = new ServedModel("tiny", lm, tokenizer, null);
            ServerConfig config = new ServerConfig("127.0.0.1", 0, null, new BatchScheduler.Limits(20_000_000, 512, 1, 64),
                    Duration.ZERO);
            assertThatThrownBy(() -> QinsServer.start(config, served, engine.kvCache()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the memory plan does not fit: KV cache 20000000 sequences x 512 tokens x 768 B/token")
                    .hasMessageContaining("lower --max-sequences or --max-context");
        }
    }

    @Test
    void stoppingEndsRunningStreamsWithAnErrorChunk() throws Exception {
        Path model = TestServers.chatModel(tmp);
        // No grace: the stream (a 400-token prompt fed one token per step) is cut at the next step.
        TestServers.Running t = new TestServers.Running(model, new ServerConfig("127.0.0.1", 0, null, TestServers.limits(2, 4, 1),
                Duration.ZERO));
        int[] prompt = new int[400];
        Arrays.fill(prompt, 9);
        HttpRequest req = HttpRequest.newBuilder(URI.create(t.url("/v1/chat/completions"))).POST(HttpRequest.BodyPublishers.ofString(
                "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "hi ".repeat(100) + "\"}], \"max_tokens\": 100, "
                        + "\"stream\": true}")).build();
        HttpResponse<java.io.InputStream> r = t.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).as(() -> new String(readAll(r.body()), StandardCharsets.UTF_8)).isEqualTo(200);
        await(t, h -> h.path("running").asInt() == 1);
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(t.server::stop);
        List<String> data = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
        }
        stopping.get(30, TimeUnit.SECONDS);
        assertThat(data).hasSizeGreaterThanOrEqualTo(2); // the role chunk, then the error
        JsonNode last = TestServers.json(data.getLast());
        assertThat(last.path("error").path("message").asText()).isEqualTo("the server is shutting down");
        assertThat(last.path("error").path("type").asText()).isEqualTo("server_error");
        t.close();
    }

    @Test
    void aSchedulerThatIsShuttingDownRefusesWith503() throws Exception {
        try (TestServers.Running s = TestServers.Running.start(TestServers.chatModel(tmp), TestServers.limits(2, 4, 64), null)) {
            s.server.scheduler().shutdown(Duration.ZERO);
            HttpResponse<String> r = s.post("/v1/completions", "{\"prompt\": \"hi\"}");
            assertError(r, 503, "the server is shutting down");
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            return new byte[0];
        }
    }

    static void await(TestServers.Running s, Predicate<JsonNode> condition) throws InterruptedException {
        long until = System.nanoTime() + 30_000_000_000L;
        while (!condition.test(s.health())) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not reached; health: " + s.health());
            }
            Thread.sleep(5);
        }
    }
}
