package org.qins.transformer.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.GenerationResult;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;
import org.qins.transformer.tokenizer.StreamDecoder;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * A conversation with a model. Each turn re-renders the whole conversation with the chat template
 * (generation prompt on) and tokenizes it verbatim. When the tokens already in the KV cache are a
 * prefix of the new prompt (the usual case: previous prompt + previous answer) only the rest is
 * prefilled; otherwise the cache starts over. The answer is sampled until a stop token (the
 * config's EOS ids, the template's eos_token, and {@code <|end|>}, {@code <|eot_id|>},
 * {@code <|im_end|>} where they are single tokens of the vocabulary) or the token limit.
 */
public final class ChatSession {

    /** End-of-turn markers of common chat formats (Phi-3, Llama 3, ChatML), used when they are single tokens. */
    public static final List<String> END_OF_TURN = List.of("<|end|>", "<|eot_id|>", "<|im_end|>");

    /**
     * One turn.
     *
     * @param prompt        the rendered conversation the answer continues
     * @param promptTokens  its token count
     * @param reusedTokens  tokens taken from the KV cache instead of being prefilled again
     * @param answer        the answer text (stop token left out)
     * @param tokens        the answer's tokens (stop token left out)
     * @param stopped       true if a stop token ended the answer
     */
    public record Turn(String prompt, int promptTokens, int reusedTokens, String answer, int[] tokens, boolean stopped) {
    }

    private final CausalLm model;
    private final KvCacheProvider kv;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final String system;
    private final int maxNewTokens;
    private final float temperature;
    private final float topP;
    private final long seed;
    private final Set<Integer> stopSet;
    private final List<ChatMessage> messages = new ArrayList<>();
    private Sequence sequence;
    private int[] consumed = new int[0];
    private int turns;

    public ChatSession(CausalLm model, KvCacheProvider kv, Tokenizer tokenizer, ChatTemplate template, String system,
            int maxNewTokens, float temperature, float topP, long seed) {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("a chat answer needs at least one new token, got max " + maxNewTokens);
        }
        this.model = model;
        this.kv = kv;
        this.tokenizer = tokenizer;
        this.template = template;
        this.system = system;
        this.maxNewTokens = maxNewTokens;
        this.temperature = temperature;
        this.topP = topP;
        this.seed = seed;
        this.stopSet = stopTokens(model, tokenizer, template);
        reset();
    }

    /**
     * Token ids that end a chat answer: the config's EOS ids, the template's eos_token, and
     * {@link #END_OF_TURN} markers where they are single tokens of the vocabulary.
     */
    public static Set<Integer> stopTokens(CausalLm model, Tokenizer tokenizer, ChatTemplate template) {
        Set<Integer> s = new LinkedHashSet<>(model.config().eosTokenIds());
        List<String> names = new ArrayList<>(END_OF_TURN);
        names.add(template.eosToken());
        for (String n : names) {
            int id = tokenizer.tokenId(n);
            if (id >= 0 && id < model.config().vocabSize()) {
                s.add(id);
            }
        }
        return Set.copyOf(s);
    }

    /** Token ids that end an answer. */
    public int[] stopTokens() {
        return stopSet.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    /** Forgets the conversation (the system message stays) and the KV cache. */
    public void reset() {
        messages.clear();
        if (system != null && !system.isBlank()) {
            messages.add(ChatMessage.system(system));
        }
        sequence = null;
        consumed = new int[0];
    }

    /**
     * Adds the user's message, answers it (text streamed to {@code stream} as it comes) and keeps the
     * answer. If the turn fails, the conversation is as it was before it: a turn that does not fit
     * the context throws {@link ContextFullException} before any work, a template that refuses the
     * messages a {@link TemplateException}; a failure while generating also drops the KV cache.
     */
    public Turn send(String user, Consumer<String> stream) {
        messages.add(ChatMessage.user(user));
        boolean cacheTouched = false;
        try {
            String prompt = template.render(messages, true);
            int[] ids = tokenizer.encodeVerbatim(prompt);
            if (ids.length == 0) {
                throw new IllegalStateException("the chat template rendered an empty prompt");
            }
            int capacity = model.config().maxPositionEmbeddings();
            if (ids.length + maxNewTokens > capacity) {
                throw new ContextFullException("the conversation (" + ids.length + " tokens) plus " + maxNewTokens
                        + " new tokens exceeds the model's context of " + capacity + "; /reset to start over");
            }
            int reused = 0;
            if (sequence != null && consumed.length < ids.length
                    && Arrays.equals(consumed, 0, consumed.length, ids, 0, consumed.length)) {
                reused = consumed.length;
            } else {
                sequence = model.newSequence(kv, capacity);
            }
            StreamDecoder decoder = new StreamDecoder(tokenizer);
            GenerationOptions options = new GenerationOptions(maxNewTokens, temperature, topP, seed + turns++, stopSet);
            cacheTouched = true;
            GenerationResult r = new Generator(model, kv).continueSequence(sequence, Arrays.copyOfRange(ids, reused, ids.length),
                    options, (step, token, logits) -> {
                        if (!stopSet.contains(token)) {
                            stream.accept(decoder.push(token));
                        }
                    });
            stream.accept(decoder.flush());
            int[] tokens = r.stoppedOnEos() ? Arrays.copyOf(r.tokens(), r.tokens().length - 1) : r.tokens();
            // The cache holds the prompt and every answer token but the last one generated.
            consumed = Arrays.copyOf(ids, sequence.length());
            System.arraycopy(r.tokens(), 0, consumed, ids.length, sequence.length() - ids.length);
            String text = tokenizer.decode(tokens);
            messages.add(ChatMessage.assistant(text));
            return new Turn(prompt, ids.length, reused, text, tokens, r.stoppedOnEos());
        } catch (RuntimeException | Error e) {
            messages.removeLast(); // the user's message: the answer is added last, after everything that can fail
            if (cacheTouched) { // the cache may hold part of the failed turn
                sequence = null;
                consumed = new int[0];
            }
            throw e;
        }
    }
}
