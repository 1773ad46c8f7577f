package org.qins.transformer.chat;

import static org.qins.transformer.chat.JinjaScan.stringEnd;

/**
 * {@code not}'s operand is parenthesised: Jinjava's {@code not} binds tightest, so {@code not x is defined}
 * would test {@code (not x)}, which is always defined; in Jinja {@code not} binds looser than comparisons
 * and tests: {@code not (x is defined)}. {@code is not} and {@code not in} are operators of their own.
 */
final class NotOperands {

    private NotOperands() {
    }

    /** {@code not a == b and c} to {@code not (a == b) and c}: the operand runs to and/or/if/else, a comma or a closing bracket. */
    static String rewrite(String e) {
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
                out.append("not (").append(rewrite(e.substring(i + 3, end).strip())).append(')');
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
