package org.qins.onnx.proto;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A protocol buffers message written by hand in the wire format (varints, 32-bit floats, length-delimited
 * bytes, strings, packed integers and nested messages): enough for ONNX's ModelProto. Sizes are computed
 * before writing, so large byte fields (weights) stream from their memory segments without a copy of the
 * whole message.
 */
public final class ProtoMessage {

    private static final int VARINT = 0;
    private static final int FIXED32 = 5;
    private static final int LEN = 2;

    private sealed interface Field permits Varint, Fixed32, Bytes, Nested {
        int number();
    }

    private record Varint(int number, long value) implements Field {
    }

    private record Fixed32(int number, int bits) implements Field {
    }

    private record Bytes(int number, MemorySegment data) implements Field {
    }

    private record Nested(int number, ProtoMessage message) implements Field {
    }

    private final List<Field> fields = new ArrayList<>();
    private long size = -1;

    public ProtoMessage varint(int field, long value) {
        return add(new Varint(field, value));
    }

    public ProtoMessage float32(int field, float value) {
        return add(new Fixed32(field, Float.floatToRawIntBits(value)));
    }

    public ProtoMessage string(int field, String value) {
        return bytes(field, MemorySegment.ofArray(value.getBytes(StandardCharsets.UTF_8)));
    }

    public ProtoMessage bytes(int field, MemorySegment data) {
        return add(new Bytes(field, data));
    }

    public ProtoMessage message(int field, ProtoMessage message) {
        return add(new Nested(field, message));
    }

    /** A packed repeated int64 field. */
    public ProtoMessage packedVarints(int field, long[] values) {
        byte[] buf = new byte[values.length * 10];
        int n = 0;
        for (long v : values) {
            n = putVarint(buf, n, v);
        }
        return bytes(field, MemorySegment.ofArray(java.util.Arrays.copyOf(buf, n)));
    }

    private ProtoMessage add(Field f) {
        if (size >= 0) {
            throw new IllegalStateException("message already sized");
        }
        fields.add(f);
        return this;
    }

    /** Bytes of this message's encoding (without its own tag and length). */
    public long size() {
        if (size < 0) {
            long s = 0;
            for (Field f : fields) {
                s += varintSize(tag(f));
                s += switch (f) {
                    case Varint v -> varintSize(v.value());
                    case Fixed32 x -> 4;
                    case Bytes b -> varintSize(b.data().byteSize()) + b.data().byteSize();
                    case Nested m -> varintSize(m.message().size()) + m.message().size();
                };
            }
            size = s;
        }
        return size;
    }

    public void writeTo(OutputStream out) throws IOException {
        byte[] buf = new byte[16];
        for (Field f : fields) {
            out.write(buf, 0, putVarint(buf, 0, tag(f)));
            switch (f) {
                case Varint v -> out.write(buf, 0, putVarint(buf, 0, v.value()));
                case Fixed32 x -> {
                    for (int i = 0; i < 4; i++) {
                        out.write(x.bits() >>> (8 * i) & 0xff);
                    }
                }
                case Bytes b -> {
                    out.write(buf, 0, putVarint(buf, 0, b.data().byteSize()));
                    copy(b.data(), out);
                }
                case Nested m -> {
                    out.write(buf, 0, putVarint(buf, 0, m.message().size()));
                    m.message().writeTo(out);
                }
            }
        }
    }

    private static void copy(MemorySegment data, OutputStream out) throws IOException {
        byte[] chunk = new byte[(int) Math.min(1 << 16, Math.max(1, data.byteSize()))];
        for (long at = 0; at < data.byteSize(); at += chunk.length) {
            int n = (int) Math.min(chunk.length, data.byteSize() - at);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    private static long tag(Field f) {
        int wire = switch (f) {
            case Varint v -> VARINT;
            case Fixed32 x -> FIXED32;
            case Bytes b -> LEN;
            case Nested m -> LEN;
        };
        return ((long) f.number() << 3) | wire;
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    static int putVarint(byte[] buf, int at, long v) {
        while ((v & ~0x7fL) != 0) {
            buf[at++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[at++] = (byte) v;
        return at;
    }
}
