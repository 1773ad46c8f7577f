package org.qins.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.qins.server.load.LoadGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins serve-bench}: concurrent streaming clients against a running {@code qins serve}; a benchmark, not a test. */
@Command(name = "serve-bench", description = {"Measure a running qins serve on loopback: for each concurrency level, that many "
        + "streaming clients send requests one after the other; prints aggregate generated tokens/s and time to first token "
        + "p50/p95 per level, and the server's KV cache and heap from /health."})
final class ServeBenchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "The server. Default: ${DEFAULT-VALUE}.")
    String url;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,4,8,16", description = "Levels. Default: ${DEFAULT-VALUE}.")
    List<Integer> levels;

    @Option(names = "--requests-per-client", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
    int requestsPerClient;

    @Option(names = "--max-tokens", defaultValue = "48", description = "Tokens per answer (greedy). Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--prompt", defaultValue = "Once upon a time there was a little robot who wanted to learn how to paint.",
            description = "The prompt of every request. Default: ${DEFAULT-VALUE}.")
    String prompt;

    @Option(names = "--hangups", defaultValue = "0", description = "Extra clients per level that read two chunks, then close the "
            + "connection. Default: ${DEFAULT-VALUE}.")
    int hangups;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed requests first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--api-key", description = "Sent as 'Authorization: Bearer KEY'.")
    String apiKey;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Checks check = new Checks(spec);
        checkUrl(check);
        if (levels.isEmpty()) {
            throw check.fail("--concurrency: no levels; give e.g. 1,4,8");
        }
        for (int c : levels) {
            check.within("--concurrency", c, 1, MAX_CLIENTS, "each client is a connection and a thread");
        }
        check.atLeast("--requests-per-client", requestsPerClient, 1);
        check.atLeast("--max-tokens", maxTokens, 1);
        check.within("--hangups", hangups, 0, MAX_CLIENTS, "each is a connection and a thread");
        check.atLeast("--warmup", warmup, 0);
        LoadGenerator load = new LoadGenerator(url, apiKey);
        health(load, true);
        String body = LoadGenerator.completionBody(prompt, maxTokens);
        if (warmup > 0) {
            load.run(1, warmup, 0, body);
        }
        out.println("| clients | requests | errors | hang-ups done | tokens | wall s | aggregate tok/s | x 1st level | TTFT p50 ms "
                + "| TTFT p95 ms | server tokens/step |");
        out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        out.flush();
        double base = Double.NaN;
        int failed = 0;
        for (int c : levels) {
            JsonNode before = health(load, false);
            LoadGenerator.Level level = load.run(c, requestsPerClient, hangups, body);
            JsonNode after = health(load, false);
            double rate = level.tokensPerSecond();
            if (Double.isNaN(base)) {
                base = rate;
            }
            long steps = after.path("steps").asLong() - before.path("steps").asLong();
            long fed = after.path("generated_tokens").asLong() - before.path("generated_tokens").asLong()
                    + after.path("prompt_tokens").asLong() - before.path("prompt_tokens").asLong();
            out.printf(Locale.ROOT, "| %d | %d | %d | %d/%d | %d | %.1f | %.2f | %.2f | %.0f | %.0f | %.2f |%n", c, level.samples().size(),
                    level.errors(), level.hangupsDone(), level.hangups(), level.tokens(), level.wallNanos() / 1e9, rate, rate / base,
                    level.ttftMillis(0.5), level.ttftMillis(0.95), steps == 0 ? 0 : fed / (double) steps);
            out.flush();
            failed += (int) level.errors();
            for (LoadGenerator.Sample s : level.samples()) {
                if (s.error() != null) {
                    spec.commandLine().getErr().println("error: " + s.error());
                }
            }
        }
        JsonNode h = health(load, false);
        out.printf(Locale.ROOT, "server after the run: status %s, running %d, waiting %d, KV peak %,d B of %,d B planned, heap %,d B used"
                + " of %,d B%n", h.path("status").asText(), h.path("running").asInt(), h.path("waiting").asInt(),
                h.path("kv_peak_bytes").asLong(), h.path("kv_planned_bytes").asLong(), h.path("heap_used_bytes").asLong(),
                h.path("heap_max_bytes").asLong());
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    /** Most clients of one level. */
    static final int MAX_CLIENTS = 1024;

    private void checkUrl(Checks check) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw check.fail("--url " + url + ": not a URL (" + e.getMessage() + ")");
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
            throw check.fail("--url " + url + ": give an http:// or https:// URL with a host, e.g. http://127.0.0.1:8080");
        }
    }

    /** The server's /health, or an error naming the URL. */
    private JsonNode health(LoadGenerator load, boolean first) {
        JsonNode h = load.getJson("/health");
        if (h == null || !h.isObject()) {
            throw new IllegalStateException(first ? "no answer from " + url + "/health: is qins serve running there?"
                    : url + "/health stopped answering during the run");
        }
        return h;
    }
}
