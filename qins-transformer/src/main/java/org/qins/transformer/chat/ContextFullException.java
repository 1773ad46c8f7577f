package org.qins.transformer.chat;

/**
 * A turn that does not fit the model's context with the conversation before it. Nothing of the
 * turn is kept, so the conversation can go on after a {@link ChatSession#reset()} or a shorter message.
 */
public final class ContextFullException extends IllegalStateException {

    public ContextFullException(String message) {
        super(message);
    }
}
