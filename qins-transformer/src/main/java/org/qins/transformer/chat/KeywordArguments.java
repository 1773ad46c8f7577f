package org.qins.transformer.chat;

import static org.qins.transformer.chat.JinjaScan.stringEnd;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A keyword argument's value is parenthesised: Jinjava binds {@code =} tighter than {@code +} and
 * {@code -}, so {@code namespace(i=messages|length - 1)} (Qwen3) would pass {@code i=2} and subtract 1
 * from the call; it becomes {@code namespace(i=(messages|length - 1))}.
 */
final class KeywordArguments {

    private KeywordArguments() {
    }

    /** {@code f(k=v + 1)} to {@code f(k=(v + 1))}, for every keyword argument of every call. */
    static String rewrite(String e) {
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
}
