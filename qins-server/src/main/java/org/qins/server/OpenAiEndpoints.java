package org.qins.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.qins.server.batch.BatchScheduler;
import org.qins.server.batch.GenerationRequest;
import org.qins.server.batch.QueueFullException;
import org.qins.server.batch.SchedulerStats;
import org.qins.server.batch.Submission;
import org.qins.server.openai.ApiException;
import org.qins.server.openai.ChatCompletionRequest;
import org.qins.server.openai.CompletionRequest;
import org.qins.server.openai.RequestParser;
import org.qins.server.openai.ResponseBodies;
import org.qins.server.openai.Sampling;
import org.qins.server.openai.Usage;
import org.qins.transformer.chat.TemplateException;

/**
 * The OpenAI endpoints: each request is checked, tokenized and handed to the scheduler; its HTTP
 * thread (a virtual thread) then waits for the scheduler's events and writes them, whole or as
 * server-sent events. A client that goes away mid-stream cancels its request.
 */
final class OpenAiEndpoints {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom IDS = new SecureRandom();

    private final ServedModel served;
    private final BatchScheduler scheduler;
    private final MemoryPlan plan;
    private final long created = System.currentTimeMillis() / 1000;
    private volatile boolean closing;

    OpenAiEndpoints(ServedModel served, BatchScheduler scheduler, MemoryPlan plan) {
        this.served = served;
        this.scheduler = scheduler;
        this.plan = plan;
    }

    void closing() {
        closing = true;
    }

    void models(Context ctx) {
        json(ctx, 200, ResponseBodies.models(served.id(), created));
    }

    void health(Context ctx) {
        SchedulerStats s = scheduler.stats();
        ObjectNode root = JSON.createObjectNode();
        root.put("status", closing ? "shutting_down" : "ok");
        root.put("model", served.id());
        root.put("running", s.running());
        root.put("waiting", s.waiting());
        root.put("max_sequences", scheduler.limits().maxSequences());
        root.put("max_context", scheduler.limits().maxContext());
        root.put("steps", s.steps());
        root.put("prompt_tokens", s.promptTokens());
        root.put("generated_tokens", s.generatedTokens());
        root.put("largest_step_tokens", s.largestStepRows());
        root.put("kv_resident_bytes", s.kvResidentBytes());
        root.put("kv_peak_bytes", s.kvPeakBytes());
        root.put("kv_planned_bytes", plan.kvBytes());
        Runtime rt = Runtime.getRuntime();
        root.put("heap_used_bytes", rt.totalMemory() - rt.freeMemory());
        root.put("heap_max_bytes", rt.maxMemory());
        json(ctx, closing ? 503 : 200, root.toString());
    }

    void chat(Context ctx) throws InterruptedException {
        ChatCompletionRequest r = RequestParser.chat(ctx.bodyAsBytes());
        checkModel(r.model());
        if (!served.hasChatTemplate()) {
            throw ApiException.invalid("messages", "model '" + served.id() + "' has no chat template (tokenizer_config.json has no "
                    + "chat_template); use /v1/completions");
        }
        int[] prompt;
        try {
            prompt = served.chatPrompt(r.messages());
        } catch (TemplateException e) {
            throw ApiException.invalid("messages", e.getMessage());
        }
        run(ctx, "chatcmpl-", prompt, "messages", served.chatStops(), r.sampling(), true);
    }

    void completions(Context ctx) throws InterruptedException {
        CompletionRequest r = RequestParser.completion(ctx.bodyAsBytes());
        checkModel(r.model());
        int[] prompt = r.text() != null ? served.textPrompt(r.text()) : r.tokenIds();
        int vocab = served.model().config().vocabSize();
        for (int id : prompt) {
            if (id < 0 || id >= vocab) {
                throw ApiException.invalid("prompt", "token id " + id + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        run(ctx, "cmpl-", prompt, "prompt", served.textStops(), r.sampling(), false);
    }

    private void checkModel(String model) {
        if (model != null && !model.equals(served.id())) {
            throw ApiException.modelNotFound(model, served.id());
        }
    }

    private void run(Context ctx, String idPrefix, int[] prompt, String promptParam, Set<Integer> stops, Sampling s, boolean chat)
            throws InterruptedException {
        int context = scheduler.limits().maxContext();
        if (prompt.length == 0) {
            throw ApiException.invalid(promptParam, "the prompt is empty after tokenization");
        }
        int maxTokens;
        if (s.maxTokens() == null) {
            if (prompt.length >= context) {
                throw ApiException.invalid(promptParam, "context_length_exceeded", "this server's context is " + context
                        + " tokens; the prompt has " + prompt.length + " tokens, which leaves none to generate");
            }
            maxTokens = context - prompt.length;
        } else {
            maxTokens = s.maxTokens();
            if ((long) prompt.length + maxTokens > context) {
                throw ApiException.invalid(s.maxTokensName(), "context_length_exceeded", "this server's context is " + context
                        + " tokens; the prompt has " + prompt.length + " tokens and '" + s.maxTokensName() + "' asks for "
                        + maxTokens + " more (" + ((long) prompt.length + maxTokens) + " in all); shorten the prompt or lower '"
                        + s.maxTokensName() + "' to at most " + Math.max(0, context - prompt.length));
            }
        }
        long seed = s.seed() != null ? s.seed() : ThreadLocalRandom.current().nextLong();
        float temperature = s.greedy() ? 0f : s.temperature();
        float topP = s.greedy() ? 1f : s.topP();
        GenerationRequest request = new GenerationRequest(prompt, maxTokens, temperature, topP, seed, stops, s.stop());
        EventStream events = new EventStream();
        Submission submission;
        try {
            submission = scheduler.submit(request, events);
        } catch (QueueFullException e) {
            throw ApiException.unavailable(e.getMessage(), e.closing() ? 5 : 1);
        }
        byte[] idBytes = new byte[12];
        IDS.nextBytes(idBytes);
        ResponseBodies bodies = new ResponseBodies(idPrefix + HexFormat.of().formatHex(idBytes), System.currentTimeMillis() / 1000,
                served.id());
        try {
            if (s.stream()) {
                stream(ctx, events, submission, bodies, s.includeUsage(), chat);
            } else {
                whole(ctx, events, bodies, chat);
            }
        } finally {
            submission.cancel(); // no-op when it ended; frees the slot when this thread is interrupted or failed
        }
    }

    private static void whole(Context ctx, EventStream events, ResponseBodies bodies, boolean chat) throws InterruptedException {
        StringBuilder text = new StringBuilder();
        while (true) {
            switch (events.take()) {
                case EventStream.Text t -> text.append(t.text());
                case EventStream.Finished f -> {
                    String reason = f.reason().openAiName();
                    json(ctx, 200, chat ? bodies.chatCompletion(text.toString(), reason, f.usage())
                            : bodies.completion(text.toString(), reason, f.usage()));
                    return;
                }
                case EventStream.Failed e -> throw ApiException.unavailable(e.message(), 5);
            }
        }
    }

    private static void stream(Context ctx, EventStream events, Submission submission, ResponseBodies bodies, boolean usage,
            boolean chat) throws InterruptedException {
        ctx.status(200);
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setContentType("text/event-stream");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        SseClient client = new SseClient(ctx);
        client.onClose(submission::cancel);
        if (chat) {
            client.sendData(bodies.chatChunk("assistant", "", null, usage));
        } else {
            try {
                ctx.res().flushBuffer(); // the status and headers now, not after the prompt was read
            } catch (java.io.IOException e) {
                submission.cancel();
                return;
            }
        }
        while (!client.terminated()) {
            switch (events.take()) {
                case EventStream.Text t -> client.sendData(chat ? bodies.chatChunk(null, t.text(), null, usage)
                        : bodies.completionChunk(t.text(), null, usage));
                case EventStream.Finished f -> {
                    String reason = f.reason().openAiName();
                    client.sendData(chat ? bodies.chatChunk(null, null, reason, usage) : bodies.completionChunk("", reason, usage));
                    if (usage) {
                        client.sendData(bodies.usageChunk(chat ? "chat.completion.chunk" : "text_completion", f.usage()));
                    }
                    client.sendData("[DONE]");
                    client.close();
                    return;
                }
                case EventStream.Failed e -> {
                    client.sendData(ResponseBodies.error(ApiException.unavailable(e.message(), 5)));
                    client.close();
                    return;
                }
            }
        }
    }

    static void json(Context ctx, int status, String body) {
        ctx.status(status).contentType("application/json").result(body);
    }
}
