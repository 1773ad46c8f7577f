package org.qins.transformer.chat;

/** A chat template that is missing, malformed, or raised an error while rendering. */
public final class TemplateException extends RuntimeException {

    public TemplateException(String message) {
        super(message);
    }

    public TemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
