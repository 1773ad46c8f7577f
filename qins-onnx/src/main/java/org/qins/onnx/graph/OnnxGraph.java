package org.qins.onnx.graph;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qins.onnx.proto.ProtoMessage;

/**
 * An ONNX graph under construction: typed inputs and outputs, initializers (raw little-endian data, not
 * copied), and nodes in topological order (each added after its inputs). {@link #model} wraps it in a
 * ModelProto for one opset of the default domain.
 */
public final class OnnxGraph {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final List<ProtoMessage> nodes = new ArrayList<>();
    private final List<ProtoMessage> initializers = new ArrayList<>();
    private final List<ProtoMessage> inputs = new ArrayList<>();
    private final List<ProtoMessage> outputs = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private long initializerBytes;
    private int counter;

    /** A graph input; a dimension is a Long (fixed) or a String (named, dynamic). */
    public String input(String name, DataType type, Object... dims) {
        claim(name);
        inputs.add(valueInfo(name, type, dims));
        return name;
    }

    /** Declares {@code name} (a node output) a graph output. */
    public void output(String name, DataType type, Object... dims) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException("no value '" + name + "' in the graph");
        }
        outputs.add(valueInfo(name, type, dims));
    }

    /** An initializer holding {@code data} (little-endian, row-major, exactly the bytes of {@code dims}). */
    public String initializer(String name, DataType type, long[] dims, MemorySegment data) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n * type.bytes != data.byteSize()) {
            throw new IllegalArgumentException("initializer '" + name + "': " + type + java.util.Arrays.toString(dims) + " needs "
                    + n * type.bytes + " bytes, got " + data.byteSize());
        }
        claim(name);
        initializers.add(new ProtoMessage().packedVarints(1, dims).varint(2, type.id).string(8, name).bytes(9, data));
        initializerBytes += data.byteSize();
        return name;
    }

    public String floats(String hint, float[] values, long... dims) {
        MemorySegment s = MemorySegment.ofArray(new byte[values.length * 4]);
        MemorySegment.copy(values, 0, s, F32, 0, values.length);
        return initializer(fresh(hint), DataType.FLOAT, dims, s);
    }

    /** A float scalar (rank 0). */
    public String scalar(String hint, float value) {
        return floats(hint, new float[] {value});
    }

    /** An int64 scalar (rank 0). */
    public String int64Scalar(String hint, long value) {
        MemorySegment s = MemorySegment.ofArray(new byte[8]);
        s.set(I64, 0, value);
        return initializer(fresh(hint), DataType.INT64, new long[0], s);
    }

    public String int64s(String hint, long... values) {
        MemorySegment s = MemorySegment.ofArray(new byte[values.length * 8]);
        MemorySegment.copy(values, 0, s, I64, 0, values.length);
        return initializer(fresh(hint), DataType.INT64, new long[] {values.length}, s);
    }

    /** A node with one output, named after {@code hint}. */
    public String op(String opType, String hint, List<String> in, Attr... attrs) {
        return ops(opType, List.of(fresh(hint)), in, attrs).get(0);
    }

    /** A node whose outputs get the given names (graph outputs keep their names). */
    public List<String> ops(String opType, List<String> out, List<String> in, Attr... attrs) {
        ProtoMessage n = new ProtoMessage();
        for (String i : in) {
            if (!i.isEmpty() && !names.contains(i)) {
                throw new IllegalArgumentException(opType + " reads '" + i + "', which nothing defines before it");
            }
            n.string(1, i);
        }
        for (String o : out) {
            if (!names.contains(o)) {
                claim(o);
            }
            n.string(2, o);
        }
        n.string(3, out.get(0)).string(4, opType);
        for (Attr a : attrs) {
            n.message(5, a.message());
        }
        nodes.add(n);
        return out;
    }

    /** A unique name starting with {@code hint}. */
    public String fresh(String hint) {
        String n = hint;
        while (names.contains(n)) {
            n = hint + "_" + (++counter);
        }
        return n;
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("the graph already has a value named '" + name + "'");
        }
    }

    public int nodeCount() {
        return nodes.size();
    }

    public int initializerCount() {
        return initializers.size();
    }

    /** Bytes of initializer data. */
    public long initializerBytes() {
        return initializerBytes;
    }

    /** The ModelProto: IR {@code irVersion}, the default domain at {@code opset}, this graph, and metadata. */
    public ProtoMessage model(long irVersion, long opset, String producer, String version, String doc, Map<String, String> metadata) {
        ProtoMessage g = new ProtoMessage();
        nodes.forEach(n -> g.message(1, n));
        g.string(2, "qins");
        initializers.forEach(t -> g.message(5, t));
        inputs.forEach(i -> g.message(11, i));
        outputs.forEach(o -> g.message(12, o));
        ProtoMessage m = new ProtoMessage().varint(1, irVersion).string(2, producer).string(3, version).string(6, doc).message(7, g)
                .message(8, new ProtoMessage().string(1, "").varint(2, opset));
        metadata.forEach((k, v) -> m.message(14, new ProtoMessage().string(1, k).string(2, v)));
        return m;
    }

    private static ProtoMessage valueInfo(String name, DataType type, Object... dims) {
        ProtoMessage shape = new ProtoMessage();
        for (Object d : dims) {
            ProtoMessage dim = new ProtoMessage();
            if (d instanceof String param) {
                dim.string(2, param);
            } else {
                dim.varint(1, ((Number) d).longValue());
            }
            shape.message(1, dim);
        }
        ProtoMessage tensor = new ProtoMessage().varint(1, type.id).message(2, shape);
        return new ProtoMessage().string(1, name).message(2, new ProtoMessage().message(1, tensor));
    }
}
