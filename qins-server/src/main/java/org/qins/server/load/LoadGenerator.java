package org.qins.server.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A loopback load client for {@code qins serve}: {@code clients} concurrent streaming clients, each
 * sending {@code requestsPerClient} requests one after the other, measuring per request the time
 * to the first text chunk and the tokens generated ({@code usage} of the last chunk); and
 * {@code hangups} more clients that read two chunks and close the connection. A bounded run: it
 * ends when every request has.
 */
public final class LoadGenerator {

    /** One streamed request: start, first text, end (nanoseconds), tokens generated, and the error if it failed. */
    public record Sample(long startNanos, long firstTextNanos, long endNanos, int completionTokens, String error) {
        public double ttftMillis() {
            return (firstTextNanos - startNanos) / 1e6;
        }
    }

    /** A level's results: its samples, the wall time from the first start to the last end, and the hang-ups that read their chunks. */
    public record Level(int clients, List<Sample> samples, long wallNanos, int hangupsDone, int hangups) {

        public long tokens() {
            return samples.stream().filter(s -> s.error() == null).mapToLong(Sample::completionTokens).sum();
        }

        public long errors() {
            return samples.stream().filter(s -> s.error() != null).count();
        }

        /** Generated tokens per second over the level's wall time. */
        public double tokensPerSecond() {
            return tokens() * 1e9 / wallNanos;
        }

        /** The {@code q}-quantile (0..1) of the time to first text, nearest rank. */
        public double ttftMillis(double q) {
            List<Double> t = new ArrayList<>(samples.stream().filter(s -> s.error() == null).map(Sample::ttftMillis).toList());
            if (t.isEmpty()) {
                return Double.NaN;
            }
            Collections.sort(t);
            return t.get(Math.min(t.size() - 1, Math.max(0, (int) Math.ceil(q * t.size()) - 1)));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public LoadGenerator(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
    }

    /** A {@code /v1/completions} body: {@code prompt}, greedy, {@code maxTokens}, streamed with usage. */
    public static String completionBody(String prompt, int maxTokens) {
        ObjectNode b = JSON.createObjectNode();
        b.put("prompt", prompt);
        b.put("max_tokens", maxTokens);
        b.put("temperature", 0);
        b.put("stream", true);
        b.putObject("stream_options").put("include_usage", true);
        return b.toString();
    }

    public Level run(int clients, int requestsPerClient, int hangups, String body) throws InterruptedException {
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        List<Future<Boolean>> quitters = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    for (int r = 0; r < requestsPerClient; r++) {
                        samples.add(stream(body, Integer.MAX_VALUE));
                    }
                });
            }
            for (int h = 0; h < hangups; h++) {
                quitters.add(pool.submit(() -> stream(body, 2).error() == null));
            }
        }
        long wall = System.nanoTime() - start;
        int done = 0;
        for (Future<Boolean> q : quitters) {
            try {
                done += q.get() ? 1 : 0;
            } catch (java.util.concurrent.ExecutionException e) {
                // counted as not done
            }
        }
        return new Level(clients, List.copyOf(samples), wall, done, hangups);
    }

    /** Streams one request, reading at most {@code maxChunks} data lines (then hanging up). */
    private Sample stream(String body, int maxChunks) {
        long t0 = System.nanoTime();
        long first = 0;
        int tokens = 0;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/completions")).timeout(Duration.ofMinutes(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                if (r.statusCode() != 200) {
                    return new Sample(t0, t0, System.nanoTime(), 0, "HTTP " + r.statusCode() + ": " + in.readLine());
                }
                int chunks = 0;
                boolean done = false;
                for (String line; chunks < maxChunks && (line = in.readLine()) != null; ) {
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    chunks++;
                    String data = line.substring(6);
                    if (data.equals("[DONE]")) {
                        done = true;
                        break;
                    }
                    JsonNode n = JSON.readTree(data);
                    if (n.has("error")) {
                        return new Sample(t0, t0, System.nanoTime(), 0, n.path("error").path("message").asText());
                    }
                    if (first == 0 && !n.path("choices").path(0).path("text").asText("").isEmpty()) {
                        first = System.nanoTime();
                    }
                    if (n.path("usage").has("completion_tokens")) {
                        tokens = n.path("usage").path("completion_tokens").asInt();
                    }
                }
                if (!done && maxChunks == Integer.MAX_VALUE) {
                    return new Sample(t0, t0, System.nanoTime(), 0, "the stream ended without [DONE]");
                }
            }
        } catch (IOException e) {
            return new Sample(t0, t0, System.nanoTime(), 0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Sample(t0, t0, System.nanoTime(), 0, "interrupted");
        }
        return new Sample(t0, first == 0 ? System.nanoTime() : first, System.nanoTime(), tokens, null);
    }

    /** GET {@code path} as JSON (for /health), or null when it fails. */
    public JsonNode getJson(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
