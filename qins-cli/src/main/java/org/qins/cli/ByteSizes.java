package org.qins.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as the Hub writes them: {@code 5GB} (10^9), {@code 500MB}, {@code 4GiB} (2^30), or a plain number of bytes. */
final class ByteSizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(|B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)");

    private ByteSizes() {
    }

    static long parse(String option, String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " '" + text + "': expected a size such as 5GB, 500MB, 4GiB or 1000000");
        }
        double unit = switch (m.group(2)) {
            case "", "B" -> 1;
            case "KB" -> 1e3;
            case "MB" -> 1e6;
            case "GB" -> 1e9;
            case "TB" -> 1e12;
            case "KIB" -> 0x1p10;
            case "MIB" -> 0x1p20;
            case "GIB" -> 0x1p30;
            default -> 0x1p40;
        };
        double bytes = Double.parseDouble(m.group(1)) * unit;
        if (!(bytes >= 1) || bytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException(option + " '" + text + "' must be at least 1 byte");
        }
        return (long) bytes;
    }
}
