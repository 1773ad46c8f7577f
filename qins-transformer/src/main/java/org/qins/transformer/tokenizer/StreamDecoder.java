package org.qins.transformer.tokenizer;

import java.util.Arrays;

/**
 * Turns a growing list of token ids into text pieces as they become complete. A byte-level BPE
 * token may hold half of a UTF-8 character; decoding it alone gives U+FFFD. So we decode a small
 * window (from a previous boundary) and emit only the part beyond what was already emitted, and
 * only when it does not end in a replacement character (the approach of HF's text streamers).
 */
public final class StreamDecoder {

    private static final char REPLACEMENT = '\uFFFD';

    private final Tokenizer tokenizer;
    private int[] ids = new int[64];
    private int size;
    private int prefixOffset;
    private int readOffset;

    public StreamDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds a token; returns the newly complete text, possibly empty. */
    public String push(int token) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = token;
        String prefix = tokenizer.decode(ids, prefixOffset, readOffset);
        String full = tokenizer.decode(ids, prefixOffset, size);
        if (full.length() > prefix.length() && full.charAt(full.length() - 1) != REPLACEMENT) {
            prefixOffset = readOffset;
            readOffset = size;
            return full.substring(prefix.length());
        }
        return "";
    }

    /** Whatever is still held back at the end (possibly with replacement characters). */
    public String flush() {
        String prefix = tokenizer.decode(ids, prefixOffset, readOffset);
        String full = tokenizer.decode(ids, prefixOffset, size);
        prefixOffset = readOffset = size;
        return full.length() > prefix.length() ? full.substring(prefix.length()) : "";
    }
}
