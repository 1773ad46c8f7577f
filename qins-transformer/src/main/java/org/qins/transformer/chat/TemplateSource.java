package org.qins.transformer.chat;

/**
 * Rewrites what Jinjava reads differently from Jinja2 into what it reads the same way. The newline
 * ending the source is dropped ({@code keep_trailing_newline=False}); comments are removed with the
 * whitespace Jinja removes around them. Around tags,
 * {@code lstrip_blocks} as Jinja applies it: spaces and tabs before a block or comment tag are removed
 * only when nothing else precedes the tag on its line (Jinjava's own option strips them anywhere).
 * Inside {@code {{ }}} and {@code {% %}} tags (strings, comments and raw blocks kept):
 * {@link SteppedSlices}, {@link KeywordArguments} and {@link NotOperands} rewrite expressions Jinjava's
 * parser reads otherwise.
 * Macro and call tags are left alone (their defaults are not calls).
 */
final class TemplateSource {

    private TemplateSource() {
    }

    static String adapt(String source) {
        // keep_trailing_newline=False: Jinja drops one newline ending the source
        String template = source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
        StringBuilder out = new StringBuilder(template.length() + 16);
        int i = 0;
        int n = template.length();
        while (i < n) {
            if (template.startsWith("{#", i) || template.startsWith("{%", i)) {
                lstrip(out, template, i);
            }
            if (template.startsWith("{#", i)) {
                i = dropComment(out, template, i);
            } else if (template.startsWith("{{", i) || template.startsWith("{%", i)) {
                String close = template.startsWith("{{", i) ? "}}" : "%}";
                int end = tagEnd(template, i + 2, close);
                String body = template.substring(i + 2, end);
                if (close.equals("%}") && body.startsWith("+")) {
                    body = body.substring(1); // lstrip kept the indentation above
                }
                out.append(template, i, i + 2).append(verbatim(body) ? body : expression(body));
                int after = Math.min(n, end + 2);
                out.append(template, end, after);
                i = after;
                if (isTag(body, "raw")) {
                    int endRaw = template.indexOf("endraw", i);
                    int stop = endRaw < 0 ? n : template.lastIndexOf("{%", endRaw);
                    out.append(template, i, stop);
                    i = stop;
                }
            } else {
                out.append(template.charAt(i++));
            }
        }
        return out.toString();
    }

    /**
     * Jinja's lstrip_blocks for the tag at {@code i}: drops the spaces and tabs just written to {@code out} when
     * they are all that precedes the tag on its line; a {@code +} after the delimiter keeps them (and is removed,
     * Jinjava not knowing it), a {@code -} strips anyway.
     */
    private static void lstrip(StringBuilder out, String template, int i) {
        if (i + 2 < template.length() && template.charAt(i + 2) == '+') {
            return;
        }
        int j = out.length();
        while (j > 0 && (out.charAt(j - 1) == ' ' || out.charAt(j - 1) == '\t')) {
            j--;
        }
        if (j == 0 || out.charAt(j - 1) == '\n') {
            out.setLength(j);
        }
    }

    /**
     * Removes the comment at {@code i} with the whitespace Jinja removes around it ({@code {#-} strips before,
     * {@code -#}} after, otherwise trim_blocks drops one newline after); returns where the text goes on.
     * (Jinjava mis-trims the text after a {@code {#-} comment, so it never sees comments.)
     */
    private static int dropComment(StringBuilder out, String template, int i) {
        int close = template.indexOf("#}", i + 2);
        int end = close < 0 ? template.length() : close + 2;
        if (i + 2 < template.length() && template.charAt(i + 2) == '-') {
            int j = out.length();
            while (j > 0 && Character.isWhitespace(out.charAt(j - 1))) {
                j--;
            }
            out.setLength(j);
        }
        if (close > i + 2 && template.charAt(close - 1) == '-') {
            while (end < template.length() && Character.isWhitespace(template.charAt(end))) {
                end++;
            }
        } else if (end < template.length() && template.charAt(end) == '\n') {
            end++;
        }
        return end;
    }

    /** A tag's body through the three expression rewrites. */
    static String expression(String body) {
        return NotOperands.rewrite(KeywordArguments.rewrite(SteppedSlices.rewrite(body)));
    }

    private static boolean verbatim(String body) {
        return isTag(body, "macro") || isTag(body, "call") || isTag(body, "raw");
    }

    private static boolean isTag(String body, String name) {
        String t = body.strip();
        if (t.startsWith("-") || t.startsWith("+")) {
            t = t.substring(1).strip();
        }
        return t.equals(name) || t.startsWith(name + " ") || t.startsWith(name + "(");
    }

    /** The index of {@code close} ending a tag whose body starts at {@code from}, outside string literals. */
    private static int tagEnd(String s, int from, String close) {
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (s.startsWith(close, i)) {
                return i;
            }
        }
        return s.length();
    }
}
