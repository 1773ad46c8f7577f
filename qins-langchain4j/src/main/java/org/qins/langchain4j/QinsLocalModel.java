package org.qins.langchain4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.chat.ChatMessage;
import org.qins.transformer.chat.ChatSession;
import org.qins.transformer.chat.ChatTemplate;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.GenerationResult;
import org.qins.transformer.generate.StopStrings;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;
import org.qins.transformer.tokenizer.StreamDecoder;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * A model loaded in this process for the LangChain4j adapters: the engine's model, tokenizer and
 * chat template. Answers one conversation at a time (the engine's worker pool computes one
 * forward pass at a time; for concurrent clients run {@code qins serve}, which batches them).
 */
public final class QinsLocalModel implements AutoCloseable {

    /** Why an answer ended. */
    public enum End { STOP_TOKEN, STOP_STRING, LENGTH, CANCELLED }

    /** One answer: its text, token counts and why it ended. */
    public record Answer(String text, int promptTokens, int completionTokens, End end) {
    }

    /**
     * How to answer.
     *
     * @param maxTokens   tokens at most, or null: whatever the context leaves
     * @param temperature 0 = greedy
     * @param topP        nucleus mass in (0, 1]
     * @param seed        sampling seed
     * @param stop        stop strings
     */
    public record Settings(Integer maxTokens, float temperature, float topP, long seed, List<String> stop) {
    }

    private final String name;
    private final CausalLm model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final KvCacheProvider kv;
    private final QinsEngine engine;
    private final Set<Integer> stopTokens;
    private final ReentrantLock busy = new ReentrantLock(true);

    private QinsLocalModel(String name, QinsEngine engine, CausalLm model, Tokenizer tokenizer, ChatTemplate template) {
        this.name = name;
        this.engine = engine;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.kv = engine.kvCache();
        this.stopTokens = ChatSession.stopTokens(model, tokenizer, template);
    }

    /** Loads {@code dir} (which needs tokenizer.json and a chat_template) with {@code engine}'s providers; the engine stays the caller's. */
    public static QinsLocalModel load(QinsEngine engine, Path dir) {
        ChatTemplate template = ChatTemplate.load(dir);
        CausalLm model = engine.load(dir);
        try {
            return new QinsLocalModel(dir.toAbsolutePath().normalize().getFileName().toString(), engine, model, Tokenizer.load(dir),
                    template);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The model's name (its directory's). */
    public String name() {
        return name;
    }

    /** Tokens a conversation and its answer may hold together. */
    public int contextLength() {
        return model.config().maxPositionEmbeddings();
    }

    /**
     * Answers {@code messages}: renders them with the chat template (generation prompt on), then
     * samples until a stop token, a stop string, {@code maxTokens} or {@code cancelled}; text goes
     * to {@code onText} as it becomes final.
     */
    public Answer answer(List<ChatMessage> messages, Settings settings, Consumer<String> onText, BooleanSupplier cancelled) {
        String rendered;
        synchronized (template) {
            rendered = template.render(messages, true);
        }
        int[] prompt = tokenizer.encodeVerbatim(rendered);
        int context = contextLength();
        int maxTokens = settings.maxTokens() != null ? settings.maxTokens() : context - prompt.length;
        if (prompt.length == 0 || maxTokens < 1 || prompt.length + maxTokens > context) {
            throw new IllegalArgumentException("the conversation (" + prompt.length + " tokens) and " + maxTokens
                    + " tokens to generate do not fit in the model's context of " + context + " tokens");
        }
        StreamDecoder decoder = new StreamDecoder(tokenizer);
        StopStrings stops = new StopStrings(settings.stop());
        StringBuilder text = new StringBuilder();
        Consumer<String> emit = piece -> {
            if (!piece.isEmpty()) {
                text.append(piece);
                onText.accept(piece);
            }
        };
        GenerationOptions options = new GenerationOptions(maxTokens, settings.temperature(), settings.topP(), settings.seed(), stopTokens);
        busy.lock();
        GenerationResult r;
        try {
            Sequence seq = model.newSequence(kv, prompt.length + maxTokens);
            r = engine.generator(model).continueSequence(seq, prompt, options, (step, token, logits) -> {
                if (!stopTokens.contains(token)) {
                    emit.accept(stops.push(decoder.push(token)));
                }
            }, () -> stops.stopped() || cancelled.getAsBoolean());
        } finally {
            busy.unlock();
        }
        End end = cancelled.getAsBoolean() ? End.CANCELLED : stops.stopped() ? End.STOP_STRING : r.stoppedOnEos() ? End.STOP_TOKEN
                : End.LENGTH;
        if (end != End.CANCELLED && !stops.stopped()) {
            emit.accept(stops.push(decoder.flush()));
            emit.accept(stops.flush());
            if (stops.stopped()) {
                end = End.STOP_STRING;
            }
        }
        return new Answer(text.toString(), prompt.length, r.tokens().length, end);
    }

    /** Closes the model and the tokenizer (not the engine). */
    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}
