package org.qins.transformer.chat;

/** Functions Hugging Face chat templates call that Jinja itself lacks. */
public final class TemplateFunctions {

    private TemplateFunctions() {
    }

    /** {@code raise_exception('...')}: templates use it to reject conversations they cannot format. */
    public static String raiseException(String message) {
        throw new TemplateException("the chat template refused the conversation: " + message);
    }
}
