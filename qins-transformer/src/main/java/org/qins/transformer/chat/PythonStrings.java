package org.qins.transformer.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Python's {@code str} methods that chat templates call ({@code content.startswith('<tool_response>')},
 * {@code content.split('</think>')[-1].lstrip('\n')}, ...), with Python's semantics: literal
 * separators, whitespace as {@code str.isspace()} sees it, optional character sets to strip.
 */
final class PythonStrings {

    private PythonStrings() {
    }

    /** True for the names {@link #call} handles. */
    static boolean handles(String method) {
        return switch (method) {
            case "startswith", "endswith", "strip", "lstrip", "rstrip", "split", "upper", "lower", "title", "capitalize",
                    "replace", "join" -> true;
            default -> false;
        };
    }

    /** {@code s.method(args)}; arguments as the template gives them (null for {@code none}). */
    static Object call(String s, String method, Object[] args) {
        return switch (method) {
            case "startswith" -> anyOf(args, 0, p -> s.startsWith(p));
            case "endswith" -> anyOf(args, 0, p -> s.endsWith(p));
            case "strip" -> rstrip(lstrip(s, chars(args)), chars(args));
            case "lstrip" -> lstrip(s, chars(args));
            case "rstrip" -> rstrip(s, chars(args));
            case "split" -> split(s, args.length > 0 ? (String) args[0] : null, args.length > 1 ? ((Number) args[1]).intValue() : -1);
            case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + s.substring(1).toLowerCase(java.util.Locale.ROOT);
            case "replace" -> replace(s, (String) args[0], (String) args[1], args.length > 2 ? ((Number) args[2]).intValue() : -1);
            case "join" -> join(s, (Iterable<?>) args[0]);
            default -> throw new IllegalArgumentException("no str method " + method);
        };
    }

    private static boolean anyOf(Object[] args, int i, java.util.function.Predicate<String> test) {
        if (args[i] instanceof Iterable<?> many) { // startswith(('a', 'b'))
            for (Object o : many) {
                if (test.test((String) o)) {
                    return true;
                }
            }
            return false;
        }
        return test.test((String) args[i]);
    }

    private static String chars(Object[] args) {
        return args.length > 0 && args[0] != null ? (String) args[0] : null;
    }

    /** Python's {@code str.isspace()} for one char: Java's whitespace, space separators, and U+001C..U+001F, U+0085. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private static boolean strips(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strips(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strips(s.charAt(j - 1), chars)) {
            j--;
        }
        return s.substring(0, j);
    }

    /** {@code str.split(sep, maxsplit)}: a literal separator keeps empty parts; none splits on whitespace runs. */
    static List<String> split(String s, String sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            while (true) {
                while (i < s.length() && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i == s.length()) {
                    return out;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(rstrip(s.substring(i), null));
                    return out;
                }
                int j = i;
                while (j < s.length() && !isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        int at;
        while ((maxSplit < 0 || out.size() < maxSplit) && (at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static String replace(String s, String old, String with, int count) {
        if (count < 0) {
            return s.replace(old, with);
        }
        StringBuilder b = new StringBuilder();
        int from = 0;
        for (int n = 0; n < count; n++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            b.append(s, from, at).append(with);
            from = at + old.length();
        }
        return b.append(s.substring(from)).toString();
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousCased = Character.isLetter(c);
        }
        return b.toString();
    }

    private static String join(String sep, Iterable<?> parts) {
        StringBuilder b = new StringBuilder();
        boolean first = true;
        for (Object p : parts) {
            if (!first) {
                b.append(sep);
            }
            b.append(p);
            first = false;
        }
        return b.toString();
    }
}
