package org.qins.transformer.chat;

import static org.qins.transformer.chat.JinjaScan.matching;
import static org.qins.transformer.chat.JinjaScan.stringEnd;
import static org.qins.transformer.chat.JinjaScan.topLevelSplit;

/**
 * A slice with a step, {@code x[a:b:c]} (Qwen3's {@code messages[::-1]}), which Jinjava cannot parse,
 * becomes {@code (x|py_slice(a, b, c))} ({@link PySliceFilter}); two-part slices and indexing stay.
 */
final class SteppedSlices {

    private SteppedSlices() {
    }

    /** {@code x[a:b:c]} to {@code (x|py_slice(a, b, c))}; two-part slices and indexing unchanged. */
    static String rewrite(String e) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(e, i);
                out.append(e, i, end);
                i = end - 1;
            } else if (c == '[') {
                int close = matching(e, i);
                String inside = rewrite(e.substring(i + 1, Math.min(close, e.length())));
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
}
