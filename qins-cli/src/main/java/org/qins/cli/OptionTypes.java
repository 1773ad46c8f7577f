package org.qins.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Number conversions whose errors say what was expected, and picocli's parse errors as one plain line. */
final class OptionTypes {

    private OptionTypes() {
    }

    static void register(CommandLine cl) {
        CommandLine.ITypeConverter<Integer> toInt = s -> (int) whole(s, Integer.MIN_VALUE, Integer.MAX_VALUE);
        CommandLine.ITypeConverter<Long> toLong = s -> whole(s, Long.MIN_VALUE, Long.MAX_VALUE);
        CommandLine.ITypeConverter<Float> toFloat = OptionTypes::number;
        cl.registerConverter(Integer.class, toInt);
        cl.registerConverter(Integer.TYPE, toInt);
        cl.registerConverter(Long.class, toLong);
        cl.registerConverter(Long.TYPE, toLong);
        cl.registerConverter(Float.class, toFloat);
        cl.registerConverter(Float.TYPE, toFloat);
    }

    /** The parse error's message on one line; a misspelt option or command gets picocli's near matches. */
    static String describe(ParameterException ex) {
        String m = String.valueOf(ex.getMessage()).replace("option option", "option").strip().replaceAll("\\s*\\R\\s*", "; ");
        if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().getFirst();
            if (!first.startsWith("-") && !ex.getCommandLine().getSubcommands().isEmpty()) {
                m = "unknown command '" + first + "'";
            }
            List<String> near = u.getSuggestions().stream().filter(s -> bare(s).regionMatches(0, bare(first), 0, 2)).limit(3).toList();
            if (!near.isEmpty()) {
                m += "; did you mean " + String.join(" or ", near) + "?";
            }
        }
        return m;
    }

    private static String bare(String name) {
        return name.replaceFirst("^-+", "");
    }

    private static long whole(String s, long min, long max) {
        String t = s.strip();
        if (!t.matches("[+-]?\\d+")) {
            throw new TypeConversionException("'" + s + "' is not a whole number");
        }
        try {
            long v = Long.parseLong(t);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException tooLong) {
            // out of range below
        }
        throw new TypeConversionException("'" + s + "' is out of range (" + min + " to " + max + ")");
    }

    private static float number(String s) {
        try {
            return Float.parseFloat(s.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not a number");
        }
    }
}
