package org.qins.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.server.batch.BatchScheduler;
import org.qins.server.batch.FinishReason;
import org.qins.server.batch.GenerationRequest;
import org.qins.server.batch.JobListener;
import org.qins.server.batch.SchedulerStats;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * Continuous batching computes what each request computes alone: requests of different prompt
 * lengths, joining at different times, prompts fed in chunks next to other requests' decode
 * tokens, all give the single-sequence loop's greedy answers; and they did share forward passes.
 */
class BatchingTest {

    @TempDir
    Path tmp;

    @Test
    void batchedRequestsAnswerWhatEachAnswersAlone() throws Exception {
        Path model = TestServers.fixture("tiny-llama");
        try (QinsEngine engine = QinsEngine.builder().threads(2).linear("fp32").kv("fp32").build(); CausalLm lm = engine.load(model);
                Tokenizer tokenizer = Tokenizer.load(model)) {
            List<int[]> prompts = new ArrayList<>();
            for (String text : List.of("Once upon a time", "The", "A quick brown fox jumps over the lazy dog and then some more words",
                    "hello", "Tell me a story about a cat", "x")) {
                prompts.add(tokenizer.encode(text));
            }
            int[] maxTokens = {30, 12, 25, 40, 7, 33};
            List<int[]> expected = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int[] t = engine.generator(lm).generate(prompts.get(i),
                        org.qins.transformer.generate.GenerationOptions.greedy(maxTokens[i], Set.of()), (s, x, l) -> { }).tokens();
                expected.add(t);
            }
            // prefill chunk 5: the long prompt takes several steps, fed next to the others' single decode tokens
            BatchScheduler scheduler = new BatchScheduler(lm, engine.kvCache(), tokenizer, new BatchScheduler.Limits(4, 128, 16, 5));
            Map<Integer, StringBuilder> texts = new ConcurrentHashMap<>();
            Map<Integer, Integer> counts = new ConcurrentHashMap<>();
            CountDownLatch done = new CountDownLatch(prompts.size());
            for (int i = 0; i < prompts.size(); i++) {
                int k = i;
                texts.put(k, new StringBuilder());
                scheduler.submit(new GenerationRequest(prompts.get(k), maxTokens[k], 0f, 1f, 0, Set.of(), List.of()), new JobListener() {
                    @Override
                    public void onText(String text) {
                        texts.get(k).append(text);
                    }

                    @Override
                    public void onFinish(FinishReason reason, int promptTokens, int completionTokens) {
                        assertThat(reason).isEqualTo(FinishReason.LENGTH);
                        counts.put(k, completionTokens);
                        done.countDown();
                    }

                    @Override
                    public void onError(String message) {
                        throw new AssertionError(message);
                    }
                });
                if (k == 2) {
                    Thread.sleep(20); // the rest join while the first ones are running
                }
            }
            assertThat(done.await(120, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(texts.get(i).toString()).as("request %d", i).isEqualTo(decode(tokenizer, expected.get(i)));
                assertThat(counts.get(i)).isEqualTo(maxTokens[i]);
            }
            long until = System.nanoTime() + 10_000_000_000L;
            while (scheduler.stats().running() > 0 && System.nanoTime() < until) {
                Thread.sleep(1); // the last finished request leaves right after its answer was told
            }
            SchedulerStats stats = scheduler.stats();
            int total = java.util.Arrays.stream(maxTokens).sum();
            assertThat(stats.generatedTokens()).isEqualTo(total);
            assertThat(stats.largestStepRows()).isGreaterThan(1);
            assertThat(stats.steps()).isLessThan(total); // forward passes were shared
            assertThat(stats.running()).isZero();
            assertThat(stats.kvResidentBytes()).isZero();
            scheduler.close();
        }
    }

    private static String decode(Tokenizer tokenizer, int[] tokens) {
        org.qins.transformer.tokenizer.StreamDecoder d = new org.qins.transformer.tokenizer.StreamDecoder(tokenizer);
        StringBuilder b = new StringBuilder();
        for (int t : tokens) {
            b.append(d.push(t));
        }
        return b.append(d.flush()).toString();
    }

    @Test
    void concurrentHttpRequestsAnswerWhatEachAnswersAlone() throws Exception {
        try (TestServers.Running s = TestServers.Running.start(TestServers.chatModel(tmp), TestServers.limits(8, 16, 16), null)) {
            List<String> users = List.of("hello", "how is the weather", "tell me a story", "what is two plus two", "bye", "ok then");
            List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
            for (String u : users) {
                String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + u + "\"}], \"temperature\": 0, \"max_tokens\": 48}";
                answers.add(CompletableFuture.supplyAsync(() -> TestServers.json(s.post("/v1/chat/completions", body).body())));
            }
            for (int i = 0; i < users.size(); i++) {
                int[] prompt = s.served.chatPrompt(List.of(org.qins.transformer.chat.ChatMessage.user(users.get(i))));
                TestServers.Reference ref = s.solo(prompt, 48, s.served.chatStops());
                JsonNode a = answers.get(i).get(60, TimeUnit.SECONDS);
                assertThat(a.path("choices").path(0).path("message").path("content").asText()).as(users.get(i)).isEqualTo(ref.text());
                assertThat(a.path("usage").path("completion_tokens").asInt()).isEqualTo(ref.completionTokens());
            }
            JsonNode health = s.health();
            assertThat(health.path("running").asInt()).isZero();
            assertThat(health.path("kv_peak_bytes").asLong()).isPositive().isLessThanOrEqualTo(health.path("kv_planned_bytes").asLong());
        }
    }
}
