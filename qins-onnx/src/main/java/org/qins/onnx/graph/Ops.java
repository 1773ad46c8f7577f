package org.qins.onnx.graph;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Standard ONNX operators (opset 17 signatures) as methods over an {@link OnnxGraph}; int64 constants are shared. */
public final class Ops {

    private final OnnxGraph g;
    private final Map<String, String> constants = new HashMap<>();

    public Ops(OnnxGraph g) {
        this.g = g;
    }

    public OnnxGraph graph() {
        return g;
    }

    /** A shared int64 vector constant. */
    public String int64s(long... values) {
        return constants.computeIfAbsent("i" + Arrays.toString(values), k -> g.int64s("const_i64", values));
    }

    /** A shared float scalar constant. */
    public String scalar(float value) {
        return constants.computeIfAbsent("f" + Float.floatToRawIntBits(value), k -> g.scalar("const_f32", value));
    }

    public String op(String type, String hint, String... in) {
        return g.op(type, hint, List.of(in));
    }

    public String matMul(String a, String b) {
        return op("MatMul", "matmul", a, b);
    }

    public String add(String a, String b) {
        return op("Add", "add", a, b);
    }

    public String sub(String a, String b) {
        return op("Sub", "sub", a, b);
    }

    public String mul(String a, String b) {
        return op("Mul", "mul", a, b);
    }

    public String div(String a, String b) {
        return op("Div", "div", a, b);
    }

    public String neg(String a) {
        return op("Neg", "neg", a);
    }

    public String reshape(String x, long... shape) {
        return op("Reshape", "reshape", x, int64s(shape));
    }

    public String transpose(String x, long... perm) {
        return g.op("Transpose", "transpose", List.of(x), Attr.ints("perm", perm));
    }

    public String cast(String x, DataType to) {
        return g.op("Cast", "cast", List.of(x), Attr.of("to", (long) to.id()));
    }

    public String gather(String data, String indices, long axis) {
        return g.op("Gather", "gather", List.of(data, indices), Attr.of("axis", axis));
    }

    /** {@code x[start:end]} along {@code axis}. */
    public String slice(String x, long axis, long start, long end) {
        return op("Slice", "slice", x, int64s(start), int64s(end), int64s(axis));
    }

    public String concat(long axis, String... xs) {
        return g.op("Concat", "concat", List.of(xs), Attr.of("axis", axis));
    }

    /** Concatenation written to a given output name (a graph output). */
    public String concatInto(String out, long axis, String... xs) {
        return g.ops("Concat", List.of(out), List.of(xs), Attr.of("axis", axis)).get(0);
    }

    public String unsqueeze(String x, long... axes) {
        return op("Unsqueeze", "unsqueeze", x, int64s(axes));
    }

    public String squeeze(String x, long... axes) {
        return op("Squeeze", "squeeze", x, int64s(axes));
    }

    public String expand(String x, String shape) {
        return op("Expand", "expand", x, shape);
    }

    public String softmax(String x, long axis) {
        return g.op("Softmax", "softmax", List.of(x), Attr.of("axis", axis));
    }

    public String where(String cond, String a, String b) {
        return op("Where", "where", cond, a, b);
    }

    public String sigmoid(String x) {
        return op("Sigmoid", "sigmoid", x);
    }

    public String sqrt(String x) {
        return op("Sqrt", "sqrt", x);
    }

    public String exp(String x) {
        return op("Exp", "exp", x);
    }

    public String cos(String x) {
        return op("Cos", "cos", x);
    }

    public String sin(String x) {
        return op("Sin", "sin", x);
    }

    public String min(String a, String b) {
        return op("Min", "min", a, b);
    }

    public String and(String a, String b) {
        return op("And", "and", a, b);
    }

    public String lessOrEqual(String a, String b) {
        return op("LessOrEqual", "le", a, b);
    }

    public String greater(String a, String b) {
        return op("Greater", "gt", a, b);
    }

    /** Mean over {@code axis}, kept as a dimension of 1 (opset 17: axes as an attribute). */
    public String reduceMean(String x, long axis) {
        return g.op("ReduceMean", "mean", List.of(x), Attr.ints("axes", axis), Attr.of("keepdims", 1L));
    }

    /** The largest element of {@code x}, as a tensor of rank 0. */
    public String reduceMaxAll(String x) {
        return g.op("ReduceMax", "max", List.of(x), Attr.of("keepdims", 0L));
    }

    /** Dimensions {@code [start, end)} of {@code x}'s shape, as an int64 vector. */
    public String shape(String x, long start, long end) {
        return g.op("Shape", "shape", List.of(x), Attr.of("start", start), Attr.of("end", end));
    }

    /** {@code [start, limit)} step 1; the bounds are int64 scalars. */
    public String range(String start, String limit) {
        return op("Range", "range", start, limit, constants.computeIfAbsent("one-scalar", k -> g.int64Scalar("const_one", 1)));
    }

    /** Splits {@code x} along {@code axis} into parts of {@code sizes}. */
    public List<String> split(String x, long axis, long... sizes) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            out.add(g.fresh("split" + i)); // distinct hints: fresh names are not reserved until the node is added
        }
        return g.ops("Split", out, List.of(x, int64s(sizes)), Attr.of("axis", axis));
    }
}
