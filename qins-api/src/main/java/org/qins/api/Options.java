package org.qins.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Option values checked against their owner's {@link OptionSpec}s: every given key is declared
 * and every value has the declared kind; keys not given read as their defaults. Built by the
 * engine from what the user typed ({@code --layer-option K=V}, {@code --format-option K=V}).
 */
public final class Options {

    private static final Options NONE = new Options(Map.of(), Map.of());

    private final Map<String, OptionSpec> specs;
    private final Map<String, String> given;

    private Options(Map<String, OptionSpec> specs, Map<String, String> given) {
        this.specs = specs;
        this.given = given;
    }

    /** No options declared, none given. */
    public static Options none() {
        return NONE;
    }

    /**
     * Checks {@code given} against {@code specs}.
     *
     * @param owner what takes the options, for messages (e.g. {@code linear provider 'qins'})
     * @throws IllegalArgumentException naming the bad key or value and listing the valid options
     */
    public static Options of(String owner, List<OptionSpec> specs, Map<String, String> given) {
        Map<String, OptionSpec> byName = new LinkedHashMap<>();
        specs.forEach(s -> byName.put(s.name(), s));
        Map<String, String> checked = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            OptionSpec spec = byName.get(e.getKey());
            if (spec == null) {
                throw new IllegalArgumentException("unknown option '" + e.getKey() + "' for " + owner + "; " + valid(specs));
            }
            try {
                checked.put(e.getKey(), spec.check(e.getValue()));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(owner + ": " + bad.getMessage(), bad);
            }
        }
        return new Options(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(checked));
    }

    /**
     * These values checked against {@code specs}: what an implementation calls on the options it
     * is handed, so that it reads its own defaults even from options built without its specs
     * (e.g. {@link #none()}).
     */
    public Options bind(String owner, List<OptionSpec> specs) {
        return of(owner, specs, given);
    }

    /** {@code "valid options: a (...): ..., b (...): ..."} or {@code "it takes no options"}. */
    public static String valid(List<OptionSpec> specs) {
        return specs.isEmpty() ? "it takes no options"
                : "valid options: " + specs.stream().map(OptionSpec::summary).collect(Collectors.joining("; "));
    }

    /** The value given, else the default (null when the default is derived and nothing was given). */
    public String get(String name) {
        OptionSpec spec = specs.get(name);
        if (spec == null) {
            throw new IllegalStateException("option '" + name + "' is not declared (declared: " + specs.keySet() + ")");
        }
        return given.getOrDefault(name, spec.defaultValue());
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(get(name));
    }

    public int integer(String name) {
        return Integer.parseInt(get(name));
    }

    public double number(String name) {
        return Double.parseDouble(get(name));
    }

    /** True when the user gave this option. */
    public boolean isGiven(String name) {
        return given.containsKey(name);
    }

    /** The options the user gave, checked (for messages and logs). */
    public Map<String, String> given() {
        return given;
    }

    @Override
    public String toString() {
        return given.toString();
    }
}
