package org.qins.transformer.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed reads of a config object's fields that refuse what would make the math wrong: a field
 * present with the wrong JSON type, a size that is not a positive integer, a number that is not
 * finite. JSON null counts as absent (Hugging Face configs write {@code null} for "unset").
 * Every error names the file and the field.
 */
final class ConfigFields {

    private final JsonNode node;
    private final String source;
    /** Prefix of field names in messages, e.g. {@code "rope_scaling."}. */
    private final String prefix;

    ConfigFields(JsonNode node, String source, String prefix) {
        this.node = node;
        this.source = source;
        this.prefix = prefix;
    }

    boolean has(String key) {
        return node.hasNonNull(key);
    }

    JsonNode get(String key) {
        return node.get(key);
    }

    UnsupportedModelException error(String key, String rule) {
        return new UnsupportedModelException(source + ": '" + prefix + key + "' " + rule);
    }

    /** A required integer > 0. */
    int positiveInt(String key) {
        if (!has(key)) {
            throw error(key, "is missing (a positive integer)");
        }
        return positiveInt(key, 0);
    }

    /** An integer > 0, or {@code absent} when the field is missing or null. */
    int positiveInt(String key, int absent) {
        if (!has(key)) {
            return absent;
        }
        JsonNode n = node.get(key);
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
            throw error(key, "must be a positive integer, got " + show(n));
        }
        return n.intValue();
    }

    /** An integer, or {@code absent}. */
    int integer(String key, int absent) {
        if (!has(key)) {
            return absent;
        }
        JsonNode n = node.get(key);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw error(key, "must be an integer, got " + show(n));
        }
        return n.intValue();
    }

    /** A required finite number > 0. */
    double positiveFinite(String key) {
        if (!has(key)) {
            throw error(key, "is missing (a finite number > 0)");
        }
        return positiveFinite(key, 0);
    }

    /** A finite number > 0, or {@code absent}. */
    double positiveFinite(String key, double absent) {
        if (!has(key)) {
            return absent;
        }
        JsonNode n = node.get(key);
        if (!n.isNumber() || !Double.isFinite(n.doubleValue()) || n.doubleValue() <= 0) {
            throw error(key, "must be a finite number > 0, got " + show(n));
        }
        return n.doubleValue();
    }

    boolean bool(String key, boolean absent) {
        if (!has(key)) {
            return absent;
        }
        JsonNode n = node.get(key);
        if (!n.isBoolean()) {
            throw error(key, "must be true or false, got " + show(n));
        }
        return n.booleanValue();
    }

    /** A string, or {@code absent}. */
    String text(String key, String absent) {
        if (!has(key)) {
            return absent;
        }
        JsonNode n = node.get(key);
        if (!n.isTextual()) {
            throw error(key, "must be a string, got " + show(n));
        }
        return n.textValue();
    }

    /** An object, or null when absent. */
    JsonNode object(String key) {
        if (!has(key)) {
            return null;
        }
        JsonNode n = node.get(key);
        if (!n.isObject()) {
            throw error(key, "must be an object, got " + show(n));
        }
        return n;
    }

    static String show(JsonNode n) {
        String s = n.toString();
        return (s.length() > 40 ? s.substring(0, 40) + "..." : s) + (n.isTextual() ? " (a string)" : "");
    }
}
