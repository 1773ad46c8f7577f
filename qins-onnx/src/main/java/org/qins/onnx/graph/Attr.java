package org.qins.onnx.graph;

import org.qins.onnx.proto.ProtoMessage;

/** A node attribute ({@code AttributeProto}: name 1, f 2, i 3, floats 7, ints 8, type 20). */
public record Attr(String name, ProtoMessage message) {

    private static final int FLOAT = 1;
    private static final int INT = 2;
    private static final int INTS = 7;

    public static Attr of(String name, long value) {
        return new Attr(name, new ProtoMessage().string(1, name).varint(20, INT).varint(3, value));
    }

    public static Attr of(String name, float value) {
        return new Attr(name, new ProtoMessage().string(1, name).varint(20, FLOAT).float32(2, value));
    }

    public static Attr ints(String name, long... values) {
        ProtoMessage m = new ProtoMessage().string(1, name).varint(20, INTS);
        for (long v : values) {
            m.varint(8, v);
        }
        return new Attr(name, m);
    }
}
