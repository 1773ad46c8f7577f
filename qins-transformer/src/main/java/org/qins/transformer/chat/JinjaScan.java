package org.qins.transformer.chat;

/** Scanning Jinja expression text: string literals and brackets, which the rewrites step over. */
final class JinjaScan {

    private JinjaScan() {
    }

    /** The index just past the string literal starting at {@code i}. */
    static int stringEnd(String s, int i) {
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
    static int matching(String s, int i) {
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

    static String[] topLevelSplit(String s, char sep) {
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
}
