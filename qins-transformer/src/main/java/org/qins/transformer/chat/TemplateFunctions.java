package org.qins.transformer.chat;

import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.time.ZonedDateTime;
import java.util.Locale;

/** Functions Hugging Face chat templates call that Jinja itself lacks, as transformers defines them. */
public final class TemplateFunctions {

    private TemplateFunctions() {
    }

    /** {@code raise_exception('...')}: templates use it to reject conversations they cannot format. */
    public static String raiseException(String message) {
        throw new TemplateException("the chat template refused the conversation: " + message);
    }

    /** {@code strftime_now('%d %b %Y')}: the local date and time in a Python strftime format (Llama 3.x's date line). */
    public static String strftimeNow(String format) {
        return StrftimeFormatter.format(ZonedDateTime.now(), format, Locale.US);
    }
}
