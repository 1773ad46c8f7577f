package org.qins.transformer.generate;

import java.util.List;

/**
 * Stop strings over streamed text (OpenAI's {@code stop}, LangChain4j's stop sequences): text is
 * pushed piece by piece; what cannot be the start of a stop string is released at once, the rest
 * is held until it either completes a stop string (then everything from the stop string on is
 * dropped and {@link #stopped()} turns true) or stops matching.
 */
public final class StopStrings {

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    public StopStrings(List<String> stops) {
        for (String s : stops) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
        this.stops = List.copyOf(stops);
    }

    /** True once a stop string was seen: nothing more is released. */
    public boolean stopped() {
        return stopped;
    }

    /** Adds {@code piece}; returns the text that is now safe to release (possibly empty). */
    public String push(String piece) {
        if (stopped) {
            return "";
        }
        if (stops.isEmpty()) {
            return piece;
        }
        held.append(piece);
        int first = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            stopped = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        int keep = 0;
        for (String s : stops) {
            keep = Math.max(keep, overlap(held, s));
        }
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** The text still held at the end of generation (a partial stop string that never completed). */
    public String flush() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of {@code stop}. */
    private static int overlap(CharSequence text, String stop) {
        int max = Math.min(text.length(), stop.length() - 1);
        for (int n = max; n > 0; n--) {
            boolean match = true;
            for (int i = 0; i < n && match; i++) {
                match = text.charAt(text.length() - n + i) == stop.charAt(i);
            }
            if (match) {
                return n;
            }
        }
        return 0;
    }
}
