package org.qins.it.fidelity;

import java.util.Map;

/**
 * One encoding to score: the weight format and its options (the converted checkpoint then loads
 * with the highest priority provider that reads the format).
 *
 * @param label   the table's row label
 * @param format  weight format name ({@code qins9}, {@code q8_0}, {@code int8-row}, ...)
 * @param options the format's options ({@code group}, {@code policy}, {@code width}, {@code fit})
 */
record SweepConfig(String label, String format, Map<String, String> options) {

    /** A QINS encoding; a clipped one needs its scale {@code fit} (max or mse), the others take null. */
    static SweepConfig qins(String layout, String group, String policy, String width, String fit) {
        Map<String, String> o = new java.util.TreeMap<>(Map.of("group", group, "policy", policy));
        String w = "";
        if (width != null) {
            o.put("width", width);
            w = " w=" + String.format("%.3g", Double.parseDouble(width));
        }
        if (fit != null) {
            o.put("fit", fit);
            w += " fit=" + fit;
        }
        return new SweepConfig(layout + " " + group + " " + policy + w, layout, Map.copyOf(o));
    }

    static SweepConfig qins(String layout, String group, String policy, String width) {
        return qins(layout, group, policy, width, null);
    }

    static SweepConfig other(String format) {
        return new SweepConfig(format, format, Map.of());
    }
}
