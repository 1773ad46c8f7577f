package org.qins.transformer.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.qins.transformer.checkpoint.CheckpointException;

/**
 * Sequential little-endian reads over a mapped GGUF file: every read is checked against the bytes
 * left before it happens, and every error names the file, the offset and what was being read.
 */
final class GgufCursor {

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment data;
    private final long size;
    private long pos;

    GgufCursor(Path file, MemorySegment data, long size) {
        this.file = file;
        this.data = data;
        this.size = size;
    }

    long position() {
        return pos;
    }

    long remaining() {
        return size - pos;
    }

    CheckpointException error(String what) {
        return new CheckpointException(file + ": " + what);
    }

    private void need(long bytes, String what) {
        if (bytes < 0 || bytes > remaining()) {
            throw error(what + " at byte " + pos + " needs " + Long.toUnsignedString(bytes) + " bytes, the file has " + remaining()
                    + " left (" + size + " bytes in all)");
        }
    }

    int u8(String what) {
        need(1, what);
        return data.get(ValueLayout.JAVA_BYTE, pos++) & 0xff;
    }

    int u16(String what) {
        need(2, what);
        int v = data.get(U16, pos) & 0xffff;
        pos += 2;
        return v;
    }

    /** An unsigned 32-bit value as a long. */
    long u32(String what) {
        need(4, what);
        long v = Integer.toUnsignedLong(data.get(U32, pos));
        pos += 4;
        return v;
    }

    /** A 64-bit value; the caller decides whether it is signed. */
    long u64(String what) {
        need(8, what);
        long v = data.get(U64, pos);
        pos += 8;
        return v;
    }

    /**
     * A GGUF count (uint64) of items each at least {@code minItemBytes} long: refused when negative as
     * a signed value or when that many items cannot fit in the rest of the file.
     */
    long count(String what, long minItemBytes) {
        long at = pos;
        long n = u64(what);
        if (n < 0 || (minItemBytes > 0 && n > remaining() / minItemBytes)) {
            throw error(what + " at byte " + at + " is " + Long.toUnsignedString(n) + ", more than the " + remaining()
                    + " bytes left can hold (at least " + minItemBytes + " bytes each)");
        }
        return n;
    }

    /** A GGUF string: uint64 length, then that many bytes of UTF-8 (no terminator), at most {@code maxBytes}. */
    String string(String what, long maxBytes) {
        long at = pos;
        long len = u64(what + " length");
        if (len < 0 || len > maxBytes) {
            throw error(what + " at byte " + at + " is " + Long.toUnsignedString(len) + " bytes long; the limit is " + maxBytes);
        }
        need(len, what);
        byte[] bytes = data.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        pos += len;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw error(what + " at byte " + at + " is not valid UTF-8");
        }
    }

    /** Skips {@code bytes} bytes (checked). */
    void skip(long bytes, String what) {
        need(bytes, what);
        pos += bytes;
    }

    /** The next {@code bytes} bytes as a slice, consumed. */
    MemorySegment slice(long bytes, String what) {
        need(bytes, what);
        MemorySegment s = data.asSlice(pos, bytes);
        pos += bytes;
        return s;
    }
}
