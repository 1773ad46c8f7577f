package org.qins.transformer.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A metadata array: strings read into a list; numbers left in the mapped file and read on request,
 * so a large array costs no heap until it is used.
 */
final class GgufArray {

    /** More strings than any vocabulary holds (the largest are about 260,000 tokens). */
    static final long MAX_STRINGS = 1L << 24;

    private final GgufValueType elementType;
    private final long length;
    private final MemorySegment numbers;
    private final List<String> strings;

    private GgufArray(GgufValueType elementType, long length, MemorySegment numbers, List<String> strings) {
        this.elementType = elementType;
        this.length = length;
        this.numbers = numbers;
        this.strings = strings;
    }

    static GgufArray read(GgufCursor c, String key) {
        String what = "metadata '" + key + "'";
        long at = c.position();
        long id = c.u32(what + " element type");
        GgufValueType t = GgufValueType.of(id);
        if (t == null) {
            throw c.error(what + " at byte " + at + ": unknown array element type " + id);
        }
        if (t == GgufValueType.ARRAY) {
            throw c.error(what + " at byte " + at + ": arrays of arrays are not supported");
        }
        if (t == GgufValueType.STRING) {
            long n = c.count(what + " array length", 8);
            if (n > MAX_STRINGS) {
                throw c.error(what + " holds " + n + " strings; the limit is " + MAX_STRINGS);
            }
            String[] s = new String[(int) n];
            for (int i = 0; i < n; i++) {
                s[i] = c.string(what + " entry " + i, c.remaining());
            }
            return new GgufArray(t, n, null, List.of(s));
        }
        long n = c.count(what + " array length", t.size);
        MemorySegment data = c.slice(n * t.size, what + " data");
        if (t == GgufValueType.BOOL) {
            for (long i = 0; i < n; i++) {
                if ((data.get(ValueLayout.JAVA_BYTE, i) & 0xff) > 1) {
                    throw c.error(what + " entry " + i + " is a bool holding " + (data.get(ValueLayout.JAVA_BYTE, i) & 0xff));
                }
            }
        }
        return new GgufArray(t, n, data, null);
    }

    GgufValueType elementType() {
        return elementType;
    }

    long length() {
        return length;
    }

    /** The strings of a string array. */
    List<String> strings() {
        return strings;
    }

    /** Entry {@code i} of a numeric array as a double (integers exactly up to 2^53). */
    double number(long i) {
        return switch (elementType) {
            case FLOAT32 -> numbers.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
            case FLOAT64 -> numbers.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
            default -> integer(i);
        };
    }

    /** Entry {@code i} of an integer (or bool) array; uint64 keeps its bits. */
    long integer(long i) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        return switch (elementType) {
            case UINT8, BOOL -> numbers.get(ValueLayout.JAVA_BYTE, i) & 0xffL;
            case INT8 -> numbers.get(ValueLayout.JAVA_BYTE, i);
            case UINT16 -> numbers.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(le), i) & 0xffffL;
            case INT16 -> numbers.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(le), i);
            case UINT32 -> numbers.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(le), i) & 0xffff_ffffL;
            case INT32 -> numbers.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(le), i);
            case UINT64, INT64 -> numbers.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(le), i);
            default -> throw new IllegalStateException("array of " + elementType + " holds no integers");
        };
    }

    String describe() {
        return "[" + length + " x " + elementType + "]";
    }
}
