package org.qins.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qins.server.TestServers.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qins.transformer.chat.ChatMessage;

/**
 * The OpenAI endpoints on the tiny-llama fixture: answers equal what the engine's single-sequence
 * loop produces for the same tokens, streamed or whole; every error case in the OpenAI shape.
 */
class OpenAiApiTest {

    @TempDir
    static Path tmp;
    static TestServers.Running s;

    @BeforeAll
    static void start() {
        s = TestServers.Running.start(TestServers.chatModel(tmp), TestServers.limits(4, 16, 64), null);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void modelsAndHealth() {
        JsonNode models = json(s.get("/v1/models").body());
        assertThat(models.path("object").asText()).isEqualTo("list");
        assertThat(models.path("data").path(0).path("id").asText()).isEqualTo("tiny");
        JsonNode health = s.health();
        assertThat(health.path("status").asText()).isEqualTo("ok");
        assertThat(health.path("max_sequences").asInt()).isEqualTo(4);
        assertThat(health.path("kv_planned_bytes").asLong()).isEqualTo(4L * 512 * 3 * 2 * 2 * 16 * 4); // seqs x ctx x K,V fp32
    }

    @Test
    void aChatAnswerIsTheTemplatedPromptsGreedyContinuation() {
        int[] prompt = s.served.chatPrompt(List.of(ChatMessage.system("be brief"), ChatMessage.user("hello there")));
        TestServers.Reference ref = s.solo(prompt, 24, s.served.chatStops());
        HttpResponse<String> r = s.post("/v1/chat/completions", """
                {"model": "tiny", "messages": [{"role": "system", "content": "be brief"},
                 {"role": "user", "content": [{"type": "text", "text": "hello "}, {"type": "text", "text": "there"}]}],
                 "temperature": 0, "max_tokens": 24, "user": "ignored", "frequency_penalty": 0}""");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("id").asText()).startsWith("chatcmpl-");
        JsonNode choice = body.path("choices").path(0);
        assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").asText()).isEqualTo(ref.text());
        assertThat(choice.path("finish_reason").asText()).isEqualTo(ref.finishReason());
        assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(prompt.length);
        assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(ref.completionTokens());
        assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(prompt.length + ref.completionTokens());
    }

    @Test
    void aStreamedChatAnswerHasRoleContentFinishUsageAndDone() {
        String req = """
                {"messages": [{"role": "user", "content": "hello there"}], "temperature": 0, "max_completion_tokens": 20%s}""";
        String whole = json(s.post("/v1/chat/completions", req.formatted("")).body()).path("choices").path(0).path("message")
                .path("content").asText();
        List<String> data = s.stream("/v1/chat/completions",
                req.formatted(", \"stream\": true, \"stream_options\": {\"include_usage\": true}"));
        assertThat(data.getLast()).isEqualTo("[DONE]");
        JsonNode first = json(data.getFirst());
        assertThat(first.path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.path("choices").path(0).path("delta").path("role").asText()).isEqualTo("assistant");
        JsonNode usage = json(data.get(data.size() - 2));
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(20);
        JsonNode last = json(data.get(data.size() - 3));
        assertThat(last.path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
        assertThat(last.path("choices").path(0).path("delta")).isEmpty();
        assertThat(TestServers.streamedText(data)).isEqualTo(whole);
        for (String d : data.subList(0, data.size() - 2)) {
            assertThat(json(d).path("id").asText()).isEqualTo(first.path("id").asText());
            assertThat(json(d).has("usage")).isTrue(); // null in each chunk when include_usage is on
        }
        List<String> plain = s.stream("/v1/chat/completions", req.formatted(", \"stream\": true"));
        assertThat(json(plain.get(plain.size() - 2)).has("usage")).isFalse();
        assertThat(TestServers.streamedText(plain)).isEqualTo(whole);
    }

    @Test
    void textCompletionsTakeTextOrTokenIds() {
        int[] prompt = s.tokenizer.encode("Once upon a time");
        TestServers.Reference ref = s.solo(prompt, 16, s.served.textStops());
        JsonNode text = json(s.post("/v1/completions", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 16, \"temperature\": 0}")
                .body());
        assertThat(text.path("object").asText()).isEqualTo("text_completion");
        assertThat(text.path("choices").path(0).path("text").asText()).isEqualTo(ref.text());
        assertThat(text.path("usage").path("prompt_tokens").asInt()).isEqualTo(prompt.length);
        StringBuilder ids = new StringBuilder();
        for (int id : prompt) {
            ids.append(ids.isEmpty() ? "" : ",").append(id);
        }
        JsonNode byIds = json(s.post("/v1/completions", "{\"prompt\": [" + ids + "], \"max_tokens\": 16, \"temperature\": 0}").body());
        assertThat(byIds.path("choices").path(0).path("text").asText()).isEqualTo(ref.text());
        List<String> data = s.stream("/v1/completions", "{\"prompt\": [[" + ids + "]], \"max_tokens\": 16, \"temperature\": 0, "
                + "\"stream\": true}");
        assertThat(TestServers.streamedText(data)).isEqualTo(ref.text());
        assertThat(json(data.get(data.size() - 2)).path("choices").path(0).path("finish_reason").asText()).isEqualTo(ref.finishReason());
    }

    @Test
    void aStopStringCutsTheAnswerBeforeIt() {
        String req = "{\"prompt\": \"Once upon a time\", \"max_tokens\": 40, \"temperature\": 0%s}";
        String whole = json(s.post("/v1/completions", req.formatted("")).body()).path("choices").path(0).path("text").asText();
        assertThat(whole.length()).isGreaterThan(12);
        String stop = whole.substring(8, 11);
        String expected = whole.substring(0, whole.indexOf(stop));
        JsonNode cut = json(s.post("/v1/completions", req.formatted(", \"stop\": [\"\\u0000never\", " + TestServers.JSON.valueToTree(stop)
                + "]")).body());
        assertThat(cut.path("choices").path(0).path("text").asText()).isEqualTo(expected);
        assertThat(cut.path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
        List<String> data = s.stream("/v1/completions", req.formatted(", \"stream\": true, \"stop\": " + TestServers.JSON.valueToTree(stop)));
        assertThat(TestServers.streamedText(data)).isEqualTo(expected);
    }

    @Test
    void aSeedReproducesASampledAnswer() {
        String req = "{\"prompt\": \"Once upon a time\", \"max_tokens\": 24, \"temperature\": 1.0, \"top_p\": 0.95, \"seed\": %d}";
        String a = json(s.post("/v1/completions", req.formatted(7)).body()).path("choices").path(0).path("text").asText();
        String b = json(s.post("/v1/completions", req.formatted(7)).body()).path("choices").path(0).path("text").asText();
        String c = json(s.post("/v1/completions", req.formatted(8)).body()).path("choices").path(0).path("text").asText();
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{bad json                                                                  | 400 | | not valid JSON",
        "[1, 2]                                                                     | 400 | | must be a JSON object",
        "{\"messages\": []}                                                         | 400 | messages | non-empty array",
        "{\"messages\": \"hi\"}                                                     | 400 | messages | non-empty array",
        "{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}                 | 400 | messages[0].role | not supported",
        "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}                     | 400 | messages[0].content | string or an array",
        "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]} | 400 | messages[0].content[0] | only text",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": \"hot\"} | 400 | temperature | must be a number",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": 3}     | 400 | temperature | between 0 and 2",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"top_p\": 1.5}         | 400 | top_p | between 0 and 1",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 0}      | 400 | max_tokens | at least 1",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 2.5}    | 400 | max_tokens | must be an integer",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"n\": 2}               | 400 | n | must be 1",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stream\": \"yes\"}    | 400 | stream | must be a boolean",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": [1]}          | 400 | stop | string or an array of strings",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"]} | 400 | stop | at most 4",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"seed\": \"s\"}        | 400 | seed | must be an integer",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"presence_penalty\": 1} | 400 | presence_penalty | not supported",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tools\": [{\"type\": \"function\"}]} | 400 | tools | not supported",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"logprobs\": true}     | 400 | logprobs | not supported",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stream_options\": 3}  | 400 | stream_options | must be an object",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 600}    | 400 | max_tokens | the prompt has 22 tokens and 'max_tokens' asks for 600 more (622 in all)",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"model\": \"gpt-4o\"}   | 404 | model | 'gpt-4o' does not exist",
    })
    void badChatRequestsAreAnsweredInTheOpenAiErrorShape(String body, int status, String param, String message) {
        HttpResponse<String> r = s.post("/v1/chat/completions", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode error = json(r.body()).path("error");
        assertThat(error.path("message").asText()).contains(message);
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.has("code")).isTrue();
        if (param == null) {
            assertThat(error.path("param").isNull()).isTrue();
        } else {
            assertThat(error.path("param").asText()).isEqualTo(param);
        }
    }

    @Test
    void badCompletionRequestsAndPaths() {
        assertError(s.post("/v1/completions", "{\"prompt\": [1, 99999]}"), 400, "outside the vocabulary");
        assertError(s.post("/v1/completions", "{\"prompt\": [\"a\", \"b\"]}"), 400, "one prompt per request");
        assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"echo\": true}"), 400, "'echo' is not supported");
        assertError(s.post("/v1/completions", "{}"), 400, "'prompt' is required");
        int[] big = new int[512];
        java.util.Arrays.fill(big, 5);
        assertError(s.post("/v1/completions", "{\"prompt\": " + java.util.Arrays.toString(big) + "}"), 400,
                "the prompt has 512 tokens, which leaves none");
        assertError(s.get("/v1/nothing"), 404, "no such endpoint: GET /v1/nothing");
        assertError(s.post("/v1/models", "{}"), 404, "POST /v1/models");
        assertError(s.post("/v1/completions", "{\"prompt\": \"" + "a".repeat(5 << 20) + "\"}"), 413, "larger than");
        assertThat(s.get("/").body()).contains("<title>QINS chat</title>");
        assertThat(s.health().path("running").asInt()).isZero();
    }

    /**
     * Seeded mutations of valid bodies (characters deleted, inserted, replaced; pieces repeated): each
     * is answered 200 or 4xx with a JSON body, and the server stays healthy.
     */
    @Test
    void mutatedBodiesAreAnsweredAndLeaveTheServerHealthy() throws InterruptedException {
        String[] valid = {
            "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 3, \"stop\": [\"a\"], \"seed\": 1}",
            "{\"prompt\": [1, 5, 9], \"max_tokens\": 3, \"temperature\": 0.5, \"top_p\": 0.9, \"stream\": false}",
        };
        String alphabet = "{}[]\":,0123456789-.eE truefalsnul\\u";
        java.util.SplittableRandom random = new java.util.SplittableRandom(13);
        for (int i = 0; i < 200; i++) {
            int k = i % 2;
            StringBuilder b = new StringBuilder(valid[k]);
            for (int m = 0, n = 1 + random.nextInt(4); m < n && !b.isEmpty(); m++) {
                int at = random.nextInt(b.length());
                switch (random.nextInt(4)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 2 -> b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> b.insert(at, b.substring(at, Math.min(b.length(), at + 1 + random.nextInt(8))));
                }
            }
            HttpResponse<String> r = s.post(k == 0 ? "/v1/chat/completions" : "/v1/completions", b.toString());
            assertThat(r.statusCode()).as("%s -> %s", b, r.body()).isIn(200, 400, 404);
            JsonNode body = json(r.body());
            assertThat(r.statusCode() == 200 ? body.has("choices") : body.path("error").has("message")).as(r.body()).isTrue();
        }
        assertThat(s.health().path("status").asText()).isEqualTo("ok");
        // A mutation can turn "stream": false into true: the slot of a stream is freed just after its last
        // chunk is written, so the client may see [DONE] a moment before health says running 0.
        ServerLimitsTest.await(s, h -> h.path("running").asInt() == 0);
    }

    static void assertError(HttpResponse<String> r, int status, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(json(r.body()).path("error").path("message").asText()).contains(message);
    }
}
