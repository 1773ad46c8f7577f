package org.qins.transformer.chat;

import java.math.BigDecimal;

/** Python's {@code repr(float)}: the shortest digits that round-trip, in Python's layout. */
final class PythonFloats {

    private PythonFloats() {
    }

    static String repr(double d) {
        if (Double.isNaN(d)) {
            return "NaN"; // json.dumps writes NaN and Infinity unquoted
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        // Double.toString gives the shortest round-tripping digits (JDK 19+); re-lay them out as Python does:
        // positional for decimal exponents -4 <= e < 16, else d.ddde+XX.
        BigDecimal v = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = v.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - v.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = v.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }
}
