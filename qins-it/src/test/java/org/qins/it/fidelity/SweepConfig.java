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

    /** A QINS encoding; a clipped one needs its scale {@code fit} (max or mse), the others take null. */
    static SweepConfig qins(String layout, String group, String policy, String width, String fit) {
        Map<String, String> o = new java.util.TreeMap<>(Map.of("layout", layout, "group", group, "policy", policy));
        String w = "";
        if (width != null) {
            o.put("width", width);
            w = " w=" + String.format("%.3g", Double.parseDouble(width));
        }
        if (fit != null) {
            o.put("fit", fit);
            w += " fit=" + fit;
        }
        return new SweepConfig(layout + " " + group + " " + policy + w, "qins", Map.copyOf(o));
    }

    static SweepConfig qins(String layout, String group, String policy, String width) {
        return qins(layout, group, policy, width, null);
    }

    static SweepConfig other(String provider) {
        return new SweepConfig(provider, provider, Map.of());
    }
}
