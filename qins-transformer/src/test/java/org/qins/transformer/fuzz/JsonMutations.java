package org.qins.transformer.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Structure-aware mutations of a JSON document: values replaced by edge cases (wrong types,
 * huge, negative, fractional, non-finite-looking numbers, deep nesting), numbers nudged, fields
 * removed, renamed, added or written twice, array elements dropped or swapped. The document is
 * written back by a small serializer of our own so that duplicate keys can be emitted.
 */
final class JsonMutations {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] VALUES = {"null", "true", "false", "0", "-1", "1", "2.5", "-2.5", "1e308", "-1e308", "1e-320", "1e400",
        "4294967296", "9223372036854775808", "18446744073709551616", "\"\"", "\"x\"", "\"F32\"", "\"f32\"", "\"BF16\"", "\"U16\"",
        "\"NaN\"", "\"Infinity\"", "\"1e4\"", "[]", "{}", "[0]", "[0, 1]", "[-1, 4]", "[1.5, 2]", "[null]", "{\"a\": 1}", "[[[]]]",
        "\"../x\"", "\"model.safetensors\"", "\"longrope\"", "\"default\"", "\"su\"", "\"LlamaForCausalLM\"", "\"Phi3ForCausalLM\"",
        "0.0", "-0.0", "1e-45", "3e38", "65504", "100000000", "2147483647", "2147483648"};

    private JsonMutations() {
    }

    /** One to three structural mutations, or null when {@code in} is not JSON. */
    static byte[] mutate(Random r, byte[] in, String[] keys) {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (Exception e) {
            return null;
        }
        if (root == null || !root.isContainerNode()) {
            return null;
        }
        List<String> dups = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            root = once(r, root, keys, dups);
        }
        StringBuilder sb = new StringBuilder();
        write(root, sb, dups, r);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode once(Random r, JsonNode root, String[] keys, List<String> dups) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode c = containers.get(r.nextInt(containers.size()));
        if (c instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            String key = names.isEmpty() ? keys[r.nextInt(keys.length)] : names.get(r.nextInt(names.size()));
            switch (r.nextInt(7)) {
                case 0 -> o.remove(key);
                case 1 -> dups.add(key);
                case 2 -> {
                    JsonNode v = o.remove(key);
                    o.set(rename(r, key, keys), v == null ? value(r) : v);
                }
                case 3 -> o.set(keys[r.nextInt(keys.length)], value(r));
                case 4 -> o.set(key, nudge(r, o.get(key)));
                default -> o.set(key, value(r));
            }
        } else if (c instanceof ArrayNode a) {
            int i = a.isEmpty() ? 0 : r.nextInt(a.size());
            switch (r.nextInt(6)) {
                case 0 -> {
                    if (!a.isEmpty()) {
                        a.remove(i);
                    }
                }
                case 1 -> a.insert(i, value(r));
                case 2 -> {
                    if (a.size() > 1) {
                        JsonNode x = a.get(0);
                        a.set(0, a.get(a.size() - 1));
                        a.set(a.size() - 1, x);
                    }
                }
                case 3 -> {
                    if (!a.isEmpty()) {
                        a.set(i, nudge(r, a.get(i)));
                    }
                }
                default -> {
                    if (!a.isEmpty()) {
                        a.set(i, value(r));
                    }
                }
            }
        }
        return root;
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            for (JsonNode c : n) {
                collect(c, out);
            }
        }
    }

    private static String rename(Random r, String key, String[] keys) {
        return switch (r.nextInt(4)) {
            case 0 -> key.toUpperCase(java.util.Locale.ROOT);
            case 1 -> key + "_";
            case 2 -> keys[r.nextInt(keys.length)];
            default -> key.isEmpty() ? "x" : key.substring(1);
        };
    }

    /** A value; now and then a marker that {@link #write} expands to arrays nested deeper than parsers allow. */
    static JsonNode value(Random r) {
        if (r.nextInt(40) == 0) {
            return JSON.getNodeFactory().textNode(DEEP + (200 + r.nextInt(3000)));
        }
        try {
            return JSON.readTree(VALUES[r.nextInt(VALUES.length)]);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String DEEP = "\u0000deep:";

    private static JsonNode nudge(Random r, JsonNode v) {
        if (v == null || !v.isNumber()) {
            return value(r);
        }
        double d = v.doubleValue();
        return switch (r.nextInt(6)) {
            case 0 -> JSON.getNodeFactory().numberNode(v.longValue() + 1);
            case 1 -> JSON.getNodeFactory().numberNode(v.longValue() - 1);
            case 2 -> JSON.getNodeFactory().numberNode(-d);
            case 3 -> JSON.getNodeFactory().numberNode(d + 0.5);
            case 4 -> JSON.getNodeFactory().numberNode(d * 1e10);
            default -> JSON.getNodeFactory().textNode(v.asText());
        };
    }

    /** Writes {@code n}; fields named in {@code dups} are written twice (the second time with a new value half the time). */
    private static void write(JsonNode n, StringBuilder sb, List<String> dups, Random r) {
        if (n instanceof ObjectNode o) {
            sb.append('{');
            boolean first = true;
            for (Iterator<java.util.Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext();) {
                java.util.Map.Entry<String, JsonNode> e = it.next();
                int times = dups.contains(e.getKey()) ? 2 : 1;
                for (int t = 0; t < times; t++) {
                    sb.append(first ? "" : ", ").append(JSON.getNodeFactory().textNode(e.getKey())).append(": ");
                    write(t == 1 && r.nextBoolean() ? value(r) : e.getValue(), sb, dups, r);
                    first = false;
                }
            }
            sb.append('}');
        } else if (n instanceof ArrayNode a) {
            sb.append('[');
            for (int i = 0; i < a.size(); i++) {
                sb.append(i == 0 ? "" : ", ");
                write(a.get(i), sb, dups, r);
            }
            sb.append(']');
        } else if (n.isTextual() && n.textValue().startsWith(DEEP)) {
            int depth = Integer.parseInt(n.textValue().substring(DEEP.length()));
            sb.append("[".repeat(depth)).append("]".repeat(depth));
        } else {
            sb.append(n.toString());
        }
    }
}
