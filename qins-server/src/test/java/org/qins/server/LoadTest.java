package org.qins.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loopback load on the tiny fixture (bounded: 50 + 20 requests, each at most 32 tokens): every
 * streaming request completes, clients that disconnect mid-stream leave the server healthy, and
 * the KV cache stays within the plan.
 */
class LoadTest {

    @TempDir
    Path tmp;

    @Test
    void fiftyConcurrentStreamsCompleteAndDisconnectsLeaveTheServerHealthy() throws Exception {
        try (TestServers.Running s = TestServers.Running.start(TestServers.chatModel(tmp), TestServers.limits(8, 64, 64), null);
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<String>>> streams = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"request " + i + "\"}], \"max_tokens\": 32, "
                        + "\"temperature\": 0.8, \"seed\": " + i + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}";
                streams.add(clients.submit(() -> s.stream("/v1/chat/completions", body)));
            }
            // Twenty more that read two chunks and hang up.
            List<Future<Integer>> quitters = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"quit " + i + "\"}], \"max_tokens\": 32, "
                        + "\"stream\": true}";
                quitters.add(clients.submit(() -> readAndHangUp(s, body, 2)));
            }
            int done = 0;
            for (Future<List<String>> f : streams) {
                List<String> data = f.get(300, TimeUnit.SECONDS);
                assertThat(data.getLast()).isEqualTo("[DONE]");
                JsonNode usage = TestServers.json(data.get(data.size() - 2)).path("usage");
                assertThat(usage.path("completion_tokens").asInt()).isBetween(1, 32);
                for (String d : data) {
                    assertThat(d).doesNotContain("\"error\"");
                }
                done++;
            }
            for (Future<Integer> q : quitters) {
                assertThat(q.get(300, TimeUnit.SECONDS)).isEqualTo(2);
            }
            assertThat(done).isEqualTo(50);
            ServerLimitsTest.await(s, h -> h.path("running").asInt() == 0 && h.path("waiting").asInt() == 0);
            JsonNode health = s.health();
            assertThat(health.path("status").asText()).isEqualTo("ok");
            assertThat(health.path("kv_resident_bytes").asLong()).isZero();
            assertThat(health.path("kv_peak_bytes").asLong()).isPositive().isLessThanOrEqualTo(health.path("kv_planned_bytes").asLong());
            assertThat(health.path("largest_step_tokens").asInt()).isGreaterThan(1);
            // Still serving after all that.
            List<String> after = s.stream("/v1/completions", "{\"prompt\": \"after\", \"max_tokens\": 4, \"stream\": true}");
            assertThat(after.getLast()).isEqualTo("[DONE]");
        }
    }

    /** Reads {@code chunks} data lines of a stream, then closes the connection; returns how many it read. */
    private static int readAndHangUp(TestServers.Running s, String body, int chunks) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(s.url("/v1/chat/completions")))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> r = s.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        int read = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; read < chunks && (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    read++;
                }
            }
        }
        return read;
    }
}
