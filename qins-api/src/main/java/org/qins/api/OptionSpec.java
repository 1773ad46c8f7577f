package org.qins.api;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One option a provider or a weight format takes: its name, kind, default and help. Declared by
 * the implementation and validated by the engine, so that a misspelt or ill-typed option is an
 * error that lists the valid ones instead of being ignored.
 *
 * @param name         the key, e.g. {@code decoded-cache}
 * @param kind         how the value is checked
 * @param defaultValue the value used when the option is not given (already valid)
 * @param help         one line for {@code qins providers} and error messages
 * @param choices      the allowed values of a {@link Kind#CHOICE} option (empty otherwise)
 */
public record OptionSpec(String name, Kind kind, String defaultValue, String help, List<String> choices) {

    /** Value kinds. {@code TEXT} values are checked by their owner (e.g. {@code group=row|tensor|N}). */
    public enum Kind { BOOLEAN, INTEGER, NUMBER, CHOICE, TEXT }

    public OptionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(help, "help");
        choices = List.copyOf(choices);
        if ((kind == Kind.CHOICE) == choices.isEmpty()) {
            throw new IllegalArgumentException("option '" + name + "': choices are given exactly for CHOICE options");
        }
        if (defaultValue != null) {
            defaultValue = normalize(name, kind, choices, defaultValue);
        }
    }

    public static OptionSpec bool(String name, boolean defaultValue, String help) {
        return new OptionSpec(name, Kind.BOOLEAN, Boolean.toString(defaultValue), help, List.of());
    }

    public static OptionSpec integer(String name, int defaultValue, String help) {
        return new OptionSpec(name, Kind.INTEGER, Integer.toString(defaultValue), help, List.of());
    }

    /** A number option; {@code defaultValue} null means "derived from other options" (the help says how). */
    public static OptionSpec number(String name, Double defaultValue, String help) {
        return new OptionSpec(name, Kind.NUMBER, defaultValue == null ? null : Double.toString(defaultValue), help, List.of());
    }

    public static OptionSpec choice(String name, String defaultValue, String help, String... choices) {
        return new OptionSpec(name, Kind.CHOICE, defaultValue, help, List.of(choices));
    }

    public static OptionSpec text(String name, String defaultValue, String help) {
        return new OptionSpec(name, Kind.TEXT, defaultValue, help, List.of());
    }

    /** The checked, normalised form of {@code value}, or an error that says what this option accepts. */
    public String check(String value) {
        return normalize(name, kind, choices, value);
    }

    private static String normalize(String name, Kind kind, List<String> choices, String raw) {
        String v = raw == null ? "" : raw.trim();
        switch (kind) {
            case BOOLEAN -> {
                String b = v.toLowerCase(Locale.ROOT);
                if (b.equals("true") || b.equals("false")) {
                    return b;
                }
            }
            case INTEGER -> {
                try {
                    return Integer.toString(Integer.parseInt(v));
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            case NUMBER -> {
                try {
                    double d = Double.parseDouble(v);
                    if (Double.isFinite(d)) {
                        return v;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            case CHOICE -> {
                if (choices.contains(v)) {
                    return v;
                }
            }
            case TEXT -> {
                if (!v.isEmpty()) {
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("option '" + name + "' must be " + expected(kind, choices) + ", got '" + raw + "'");
    }

    private static String expected(Kind kind, List<String> choices) {
        return switch (kind) {
            case BOOLEAN -> "true or false";
            case INTEGER -> "an integer";
            case NUMBER -> "a finite number";
            case CHOICE -> "one of " + String.join(", ", choices);
            case TEXT -> "a non-empty value";
        };
    }

    /** {@code name (kind, default d): help}, as listed by {@code qins providers} and in errors. */
    public String summary() {
        String k = kind == Kind.CHOICE ? String.join("|", choices) : kind.name().toLowerCase(Locale.ROOT);
        return name + " (" + k + (defaultValue == null ? "" : ", default " + defaultValue) + "): " + help;
    }
}
