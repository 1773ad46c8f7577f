package org.qins.it.fidelity;

import java.util.Map;

/**
 * One encoding to score: the weight format and its options (the converted checkpoint then loads
 * with the highest priority provider that reads the format).
 *
 * @param label   the table's row label
 * @param format  weight format name ({@code qins9}, {@code q8_0}, {@code int8-row}, ...)
 * @param options the format's options ({@code group}, {@code policy}, {@code width})
 */
record SweepConfig(String label, String format, Map<String, String> options) {

    static SweepConfig qins(String layout, String group, String policy, String width) {
        Map<String, String> o = width == null
                ? Map.of("group", group, "policy", policy)
                : Map.of("group", group, "policy", policy, "width", width);
        String w = width == null ? "" : " w=" + String.format("%.3g", Double.parseDouble(width));
        return new SweepConfig(layout + " " + group + " " + policy + w, layout, o);
    }

    static SweepConfig other(String format) {
        return new SweepConfig(format, format, Map.of());
    }
}
