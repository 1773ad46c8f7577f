package org.qins.transformer.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)}, the
 * {@code tojson} transformers gives chat templates (Jinja's own escapes HTML characters; Jinjava's
 * writes no spaces): {@code ", "} and {@code ": "} between items by default, {@code ","} before a
 * newline when indenting, non-ASCII characters as they are, floats as Python's {@code repr}.
 */
final class PythonJson {

    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;

    /** {@code indent} null for one line; {@code itemSeparator} / {@code keySeparator} null for the defaults. */
    PythonJson(Integer indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        this.indent = indent == null ? null : " ".repeat(indent);
        this.itemSeparator = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
        this.keySeparator = keySeparator != null ? keySeparator : ": ";
        this.sortKeys = sortKeys;
    }

    String dumps(Object x) {
        StringBuilder b = new StringBuilder();
        write(b, x, 0);
        return b.toString();
    }

    private void write(StringBuilder b, Object x, int depth) {
        if (x == null) {
            b.append("null");
        } else if (x instanceof Boolean bool) {
            b.append(bool ? "true" : "false");
        } else if (x instanceof Double || x instanceof Float) {
            b.append(PythonFloats.repr(((Number) x).doubleValue()));
        } else if (x instanceof Number n) {
            b.append(n);
        } else if (x instanceof Map<?, ?> m) {
            Map<?, ?> entries = sortKeys ? new TreeMap<>(m) : m;
            List<Object> parts = new ArrayList<>();
            entries.forEach((k, v) -> parts.add(new Object[] {String.valueOf(k), v}));
            container(b, '{', '}', parts, depth);
        } else if (x instanceof Iterable<?> it) {
            List<Object> parts = new ArrayList<>();
            it.forEach(parts::add);
            container(b, '[', ']', parts, depth);
        } else if (x instanceof Object[] a) {
            container(b, '[', ']', List.of(a), depth);
        } else {
            string(b, x.toString());
        }
    }

    /** Items of a list, or {key, value} pairs of a dict. */
    private void container(StringBuilder b, char open, char close, List<Object> items, int depth) {
        b.append(open);
        if (items.isEmpty()) {
            b.append(close);
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                b.append(itemSeparator);
            }
            newline(b, depth + 1);
            if (open == '{') {
                Object[] kv = (Object[]) items.get(i);
                string(b, (String) kv[0]);
                b.append(keySeparator);
                write(b, kv[1], depth + 1);
            } else {
                write(b, items.get(i), depth + 1);
            }
        }
        newline(b, depth);
        b.append(close);
    }

    private void newline(StringBuilder b, int depth) {
        if (indent != null) {
            b.append('\n').append(indent.repeat(depth));
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
