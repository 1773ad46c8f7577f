package org.qins.transformer.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/** Byte-level mutations: bit flips, interesting bytes and numbers, deletions, insertions, truncations, splices. */
final class ByteMutations {

    private static final byte[] INTERESTING = {0, 1, 0x7f, (byte) 0x80, (byte) 0xff, '"', '{', '}', '[', ']', ',', ':', '-', '0', '9',
        '.', 'e', ' ', '\\', (byte) 0xC3, '\n', 't', 'n'};
    static final String[] NUMBERS = {"-1", "0", "1", "-0", "2.5", "1e3", "1e309", "-1e309", "1e-320", "NaN", "Infinity", "4294967296",
        "2147483648", "9223372036854775807", "9223372036854775808", "18446744073709551616", "100000000", "99999999999999999999999",
        "0.0", "3e38", "-3e38", "65504", "1e-45", "0x10"};

    private ByteMutations() {
    }

    /** One to four stacked mutations of {@code in}; {@code corpus} supplies splice partners. */
    static byte[] mutate(Random r, byte[] in, List<byte[]> corpus) {
        byte[] b = in;
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            b = once(r, b, corpus);
        }
        return b;
    }

    static byte[] once(Random r, byte[] b, List<byte[]> corpus) {
        if (b.length == 0) {
            return new byte[] {INTERESTING[r.nextInt(INTERESTING.length)]};
        }
        byte[] out = b.clone();
        int at = r.nextInt(b.length);
        switch (r.nextInt(9)) {
            case 0 -> out[at] ^= (byte) (1 << r.nextInt(8));
            case 1 -> out[at] = (byte) r.nextInt(256);
            case 2 -> out[at] = INTERESTING[r.nextInt(INTERESTING.length)];
            case 3 -> out = cut(b, at, Math.min(b.length, at + 1 + r.nextInt(Math.max(1, Math.min(64, b.length - at)))));
            case 4 -> out = java.util.Arrays.copyOf(b, at);
            case 5 -> {
                int len = 1 + r.nextInt(Math.min(64, b.length - at));
                out = insert(b, r.nextInt(b.length + 1), java.util.Arrays.copyOfRange(b, at, at + len));
            }
            case 6 -> {
                byte[] other = corpus.get(r.nextInt(corpus.size()));
                int from = other.length == 0 ? 0 : r.nextInt(other.length);
                out = concat(java.util.Arrays.copyOf(b, at), java.util.Arrays.copyOfRange(other, from, other.length));
            }
            case 7 -> out = replaceNumber(r, b, at);
            default -> out = insert(b, at, NUMBERS[r.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII));
        }
        return out;
    }

    /** Replaces the run of digits at or after {@code at} with an interesting number. */
    private static byte[] replaceNumber(Random r, byte[] b, int at) {
        int s = at;
        while (s < b.length && !Character.isDigit(b[s])) {
            s++;
        }
        if (s == b.length) {
            return b;
        }
        int e = s;
        while (e < b.length && (Character.isDigit(b[e]) || b[e] == '.' || b[e] == 'e' || b[e] == '-')) {
            e++;
        }
        byte[] num = NUMBERS[r.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
        return concat(concat(java.util.Arrays.copyOf(b, s), num), java.util.Arrays.copyOfRange(b, e, b.length));
    }

    private static byte[] cut(byte[] b, int from, int to) {
        return concat(java.util.Arrays.copyOf(b, from), java.util.Arrays.copyOfRange(b, to, b.length));
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        return concat(concat(java.util.Arrays.copyOf(b, at), what), java.util.Arrays.copyOfRange(b, at, b.length));
    }

    static byte[] concat(byte[] a, byte[] c) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(a.length + c.length);
        o.writeBytes(a);
        o.writeBytes(c);
        return o.toByteArray();
    }
}
