package org.qins.server;

import java.util.List;
import java.util.Set;
import org.qins.transformer.chat.ChatMessage;
import org.qins.transformer.chat.ChatSession;
import org.qins.transformer.chat.ChatTemplate;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * The model a server serves: its id (what {@code /v1/models} lists and requests name), the loaded
 * model, its tokenizer and its chat template (null when the model has none: then only text
 * completions are served).
 */
public final class ServedModel {

    private final String id;
    private final CausalLm model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Set<Integer> chatStops;
    private final Set<Integer> textStops;

    public ServedModel(String id, CausalLm model, Tokenizer tokenizer, ChatTemplate template) {
        this.id = id;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.textStops = Set.copyOf(model.config().eosTokenIds());
        this.chatStops = template == null ? textStops : ChatSession.stopTokens(model, tokenizer, template);
    }

    public String id() {
        return id;
    }

    public CausalLm model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public boolean hasChatTemplate() {
        return template != null;
    }

    /** The conversation rendered with the chat template (generation prompt on), tokenized verbatim. */
    public int[] chatPrompt(List<ChatMessage> messages) {
        String text;
        synchronized (template) { // one Jinjava instance: render one conversation at a time
            text = template.render(messages, true);
        }
        return tokenizer.encodeVerbatim(text);
    }

    /** A text prompt tokenized as {@code qins generate} does (BOS as the tokenizer config says). */
    public int[] textPrompt(String text) {
        return tokenizer.encode(text);
    }

    /** Token ids that end a chat answer (EOS and the template's end-of-turn tokens). */
    public Set<Integer> chatStops() {
        return chatStops;
    }

    /** Token ids that end a text completion (the config's EOS ids). */
    public Set<Integer> textStops() {
        return textStops;
    }
}
