package org.qins.it.fidelity;

import java.util.Map;

/**
 * One encoding to score: the provider that encodes (and computes) and its encode options.
 *
 * @param label    the table's row label
 * @param provider provider name ({@code qins}, {@code q8_0}, {@code int8-row})
 * @param options  encode options ({@code layout}, {@code group}, {@code policy}, {@code width})
 */
record SweepConfig(String label, String provider, Map<String, String> options) {

    static SweepConfig qins(String layout, String group, String policy, String width) {
        Map<String, String> o = width == null
                ? Map.of("layout", layout, "group", group, "policy", policy)
                : Map.of("layout", layout, "group", group, "policy", policy, "width", width);
        String w = width == null ? "" : " w=" + String.format("%.3g", Double.parseDouble(width));
        return new SweepConfig(layout + " " + group + " " + policy + w, "qins", o);
    }

    static SweepConfig other(String provider) {
        return new SweepConfig(provider, provider, Map.of());
    }
}
