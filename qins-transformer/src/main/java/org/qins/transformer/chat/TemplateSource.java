package org.qins.transformer.chat;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Rewrites what Jinjava reads differently from Jinja2 into what it reads the same way. The newline
 * ending the source is dropped ({@code keep_trailing_newline=False}); comments are removed with the
 * whitespace Jinja removes around them. Around tags,
 * {@code lstrip_blocks} as Jinja applies it: spaces and tabs before a block or comment tag are removed
 * only when nothing else precedes the tag on its line (Jinjava's own option strips them anywhere).
 * Inside {@code {{ }}} and {@code {% %}} tags (strings, comments and raw blocks kept):
 * <ul>
 *   <li>a keyword argument's value is parenthesised: Jinjava binds {@code =} tighter than {@code +} and
 *       {@code -}, so {@code namespace(i=messages|length - 1)} (Qwen3) would pass {@code i=2} and subtract 1
 *       from the call; it becomes {@code namespace(i=(messages|length - 1))};</li>
 *   <li>a slice with a step, {@code x[a:b:c]} (Qwen3's {@code messages[::-1]}), which Jinjava cannot parse,
 *       becomes {@code (x|py_slice(a, b, c))} ({@link PySliceFilter});</li>
 *   <li>{@code not}'s operand is parenthesised: Jinjava's {@code not} binds tightest, so
 *       {@code not x is defined} would test {@code (not x)}, which is always defined; in Jinja {@code not}
 *       binds looser than comparisons and tests: {@code not (x is defined)}.</li>
 * </ul>
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
                out.append(template, i, i + 2).append(verbatim(body) ? body : notOperands(keywordArguments(slices(body))));
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

    /** The index just past the string literal starting at {@code i}. */
    private static int stringEnd(String s, int i) {
        char quote = s.charAt(i);
        for (int j = i + 1; j < s.length(); j++) {
            if (s.charAt(j) == '\\') {
                j++;
            } else if (s.charAt(j) == quote) {
                return j + 1;
            }
        }
        return s.length();
    }

    /** The index of the bracket closing the one at {@code i} (strings and nested brackets skipped). */
    private static int matching(String s, int i) {
        int depth = 0;
        for (int j = i; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '\'' || c == '"') {
                j = stringEnd(s, j) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (--depth == 0) {
                    return j;
                }
            }
        }
        return s.length() - 1;
    }

    /** {@code x[a:b:c]} to {@code (x|py_slice(a, b, c))}; two-part slices and indexing unchanged. */
    static String slices(String e) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(e, i);
                out.append(e, i, end);
                i = end - 1;
            } else if (c == '[') {
                int close = matching(e, i);
                String inside = slices(e.substring(i + 1, Math.min(close, e.length())));
                String[] parts = topLevelSplit(inside, ':');
                int start = primaryStart(out);
                if (parts.length == 3 && start < out.length()) {
                    String primary = out.substring(start);
                    out.setLength(start);
                    out.append('(').append(primary).append("|py_slice(").append(orNone(parts[0])).append(", ")
                            .append(orNone(parts[1])).append(", ").append(orNone(parts[2])).append("))");
                } else {
                    out.append('[').append(inside).append(']');
                }
                i = close;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String orNone(String part) {
        return part.isBlank() ? "none" : part.strip();
    }

    private static String[] topLevelSplit(String s, char sep) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(s, i) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == sep && depth == 0) {
                parts.add(s.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(s.substring(from));
        return parts.toArray(String[]::new);
    }

    /** Where the postfix expression ending {@code out} begins: names, dots, calls and subscripts. */
    private static int primaryStart(StringBuilder out) {
        int i = out.length();
        while (i > 0) {
            char c = out.charAt(i - 1);
            if (c == '\'' || c == '"') { // a string literal: 'abc'[::-1]
                int j = i - 2;
                while (j >= 0 && (out.charAt(j) != c || (j > 0 && out.charAt(j - 1) == '\\'))) {
                    j--;
                }
                i = Math.max(j, 0);
            } else if (c == ')' || c == ']') {
                int depth = 0;
                int j = i - 1;
                for (; j >= 0; j--) {
                    char d = out.charAt(j);
                    if (d == ')' || d == ']') {
                        depth++;
                    } else if ((d == '(' || d == '[') && --depth == 0) {
                        break;
                    }
                }
                i = Math.max(j, 0);
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                i--;
            } else {
                break;
            }
        }
        return i;
    }

    /** {@code f(k=v + 1)} to {@code f(k=(v + 1))}, for every keyword argument of every call. */
    static String keywordArguments(String e) {
        StringBuilder out = new StringBuilder();
        Deque<boolean[]> frames = new ArrayDeque<>(); // per open bracket: {is a call's parentheses, keyword value open}
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(e, i);
                out.append(e, i, end);
                i = end - 1;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                frames.push(new boolean[] {c == '(', false});
            } else if (c == ')' || c == ']' || c == '}') {
                boolean[] f = frames.poll();
                if (f != null && f[1]) {
                    out.append(')');
                }
            } else if (c == ',' && !frames.isEmpty() && frames.peek()[1]) {
                out.append(')');
                frames.peek()[1] = false;
            } else if (c == '=' && isKeywordEquals(e, i, out) && !frames.isEmpty() && frames.peek()[0] && !frames.peek()[1]) {
                out.append("=(");
                frames.peek()[1] = true;
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** An {@code =} that is not part of {@code ==, !=, <=, >=} and follows {@code ( name} or {@code , name}. */
    private static boolean isKeywordEquals(String e, int i, StringBuilder before) {
        if (i + 1 < e.length() && e.charAt(i + 1) == '=') {
            return false;
        }
        int j = before.length() - 1;
        if (j >= 0 && "=!<>".indexOf(before.charAt(j)) >= 0) {
            return false;
        }
        while (j >= 0 && before.charAt(j) == ' ') {
            j--;
        }
        int nameEnd = j;
        while (j >= 0 && (Character.isLetterOrDigit(before.charAt(j)) || before.charAt(j) == '_')) {
            j--;
        }
        if (j == nameEnd) {
            return false;
        }
        while (j >= 0 && before.charAt(j) == ' ') {
            j--;
        }
        return j >= 0 && (before.charAt(j) == '(' || before.charAt(j) == ',');
    }

    /** {@code not a == b and c} to {@code not (a == b) and c}: the operand runs to and/or/if/else, a comma or a closing bracket. */
    static String notOperands(String e) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(e, i);
                out.append(e, i, end);
                i = end;
            } else if (isWord(e, i, "not") && !previousWord(out).equals("is") && !nextWord(e, i + 3).equals("in")) {
                int end = operandEnd(e, i + 3);
                out.append("not (").append(notOperands(e.substring(i + 3, end).strip())).append(')');
                if (end < e.length() && e.charAt(end) != ' ' && Character.isLetter(e.charAt(end))) {
                    out.append(' ');
                }
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean isWord(String e, int i, String word) {
        return e.startsWith(word, i) && (i == 0 || !isNameChar(e.charAt(i - 1)))
                && (i + word.length() == e.length() || !isNameChar(e.charAt(i + word.length())));
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }

    private static String previousWord(CharSequence s) {
        int j = s.length() - 1;
        while (j >= 0 && s.charAt(j) == ' ') {
            j--;
        }
        int end = j + 1;
        while (j >= 0 && Character.isLetter(s.charAt(j))) {
            j--;
        }
        return s.subSequence(j + 1, end).toString();
    }

    private static String nextWord(String e, int i) {
        while (i < e.length() && e.charAt(i) == ' ') {
            i++;
        }
        int from = i;
        while (i < e.length() && Character.isLetter(e.charAt(i))) {
            i++;
        }
        return e.substring(from, i);
    }

    /** Where {@code not}'s operand starting at {@code from} ends (exclusive). */
    private static int operandEnd(String e, int from) {
        int depth = 0;
        for (int i = from; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(e, i) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth-- == 0) {
                    return trimEnd(e, from, i);
                }
            } else if (depth == 0 && (c == ',' || (c == '-' && i == e.length() - 1))) {
                return trimEnd(e, from, i);
            } else if (depth == 0 && (isWord(e, i, "and") || isWord(e, i, "or") || isWord(e, i, "if") || isWord(e, i, "else"))) {
                return trimEnd(e, from, i);
            }
        }
        return trimEnd(e, from, e.length());
    }

    /** {@code end} moved back over spaces (and a whitespace-control '-' closing the tag), not before {@code from}. */
    private static int trimEnd(String e, int from, int end) {
        int j = end;
        while (j > from && e.charAt(j - 1) == ' ') {
            j--;
        }
        return j;
    }
}
