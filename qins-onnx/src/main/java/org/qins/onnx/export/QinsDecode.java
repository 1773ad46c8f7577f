package org.qins.onnx.export;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.qins.api.DType;
import org.qins.api.LayerSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.codec.DecodeTable;
import org.qins.codec.Grouping;
import org.qins.codec.QinsFormat;
import org.qins.codec.QinsLayout;
import org.qins.codec.QinsTensor;
import org.qins.onnx.graph.DataType;
import org.qins.onnx.graph.Ops;

/**
 * A QINS weight as graph nodes that decode it: its parts become initializers as stored (codes uint8, the sign
 * bit-plane uint8, scales fp16 or fp32, widths fp32), and standard operators rebuild {@code |w| * sign * scale}
 * as the codec does: a {@code Gather} of each code's magnitude from a 256-entry table (the codec's own
 * {@link DecodeTable}, so the floats are the engine's; {@code exp(-(c - 1) step)} per group when each group has
 * its own width), a {@code Gather} of 8 signs per sign byte from a 256 x 8 table of +-1, and each column's group
 * scale by a {@code Gather} along the row. qins8 keeps the sign in the code's top bit: its table is signed.
 */
final class QinsDecode {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Ops o;
    private final java.util.Map<String, String> tables = new java.util.HashMap<>();
    private String signTable;

    QinsDecode(Ops o) {
        this.o = o;
    }

    /** Whether {@code format} is a QINS layout this decoder writes. */
    static boolean reads(String format) {
        return QinsLayout.ofFormat(format) != null;
    }

    /** The float {@code [out, in]} weight. */
    String decode(StoredWeight w, LayerSpec spec) {
        QinsFormat f = QinsFormat.fromMetadata(spec.name(), w.format(), w.metadata());
        QinsLayout layout = f.layout();
        int rows = spec.outFeatures();
        int cols = spec.inFeatures();
        String codes = o.cast(part(w, QinsTensor.CODES, DataType.UINT8), DataType.INT32);
        double step = sharedStep(f, w);
        String magnitude;
        if (!Double.isNaN(step)) {
            String table = tables.computeIfAbsent(layout.id() + "/" + step, k -> o.graph().floats("decode_table_" + layout.id(),
                    table(step, layout), 256));
            magnitude = o.gather(table, codes, 0);
        } else {
            String c = o.gather(tables.computeIfAbsent("values/" + layout.id(), k -> o.graph().floats("code_values_" + layout.id(),
                    codeValues(layout), 256)), codes, 0);
            String steps = o.div(part(w, QinsTensor.WIDTHS, DataType.FLOAT), o.scalar(layout.steps()));
            String stepPerColumn = perColumn(steps, f.grouping(), cols, spec.name());
            magnitude = o.mul(o.exp(o.mul(o.sub(c, o.scalar(1)), o.neg(stepPerColumn))), o.min(c, o.scalar(1)));
            if (layout.signInCode()) {
                magnitude = o.mul(magnitude, o.gather(tables.computeIfAbsent("signs", k -> o.graph().floats("code_signs", codeSigns(), 256)),
                        codes, 0));
            }
        }
        String signed = switch (layout) {
            case QINS9 -> o.mul(magnitude, bitPlaneSigns(part(w, QinsTensor.SIGNS, DataType.UINT8), rows, cols));
            case QINS8_SEED -> o.mul(magnitude, o.cast(part(w, QinsTensor.SIGNS, DataType.INT8), DataType.FLOAT));
            case QINS8 -> magnitude;
        };
        TensorView scales = w.part(QinsTensor.SCALES);
        String s = part(w, QinsTensor.SCALES, scales.dtype() == DType.F16 ? DataType.FLOAT16 : DataType.FLOAT);
        if (scales.dtype() == DType.F16) {
            s = o.cast(s, DataType.FLOAT);
        }
        return o.mul(signed, f.grouping().kind() == Grouping.Kind.TENSOR ? s : perColumn(s, f.grouping(), cols, spec.name()));
    }

    /** The step every code shares, or NaN when each group has its own width. */
    private static double sharedStep(QinsFormat f, StoredWeight w) {
        if (f.policy().sharedWidth()) {
            return f.sharedStep();
        }
        if (f.grouping().kind() == Grouping.Kind.TENSOR) {
            return w.part(QinsTensor.WIDTHS).data().getAtIndex(F32, 0) / f.layout().steps();
        }
        return Double.NaN;
    }

    /** Magnitude per code byte; qins8's top bit is the sign (zero codes decode to +0 as in the engine). */
    static float[] table(double step, QinsLayout layout) {
        float[] t = DecodeTable.magnitudes(step, layout.maxCode());
        if (!layout.signInCode()) {
            return t;
        }
        float[] signed = new float[256];
        for (int b = 0; b < 256; b++) {
            float m = t[b & 0x7f];
            signed[b] = (b & 0x80) != 0 && m != 0 ? -m : m;
        }
        return signed;
    }

    private static float[] codeValues(QinsLayout layout) {
        float[] v = new float[256];
        for (int b = 0; b < 256; b++) {
            v[b] = layout.signInCode() ? b & 0x7f : b;
        }
        return v;
    }

    private static float[] codeSigns() {
        float[] v = new float[256];
        for (int b = 0; b < 256; b++) {
            v[b] = (b & 0x80) != 0 ? -1 : 1;
        }
        return v;
    }

    /** The sign bit-plane (bit i & 7 of byte i >> 3, 1 = negative) as +-1 floats {@code [rows, cols]}. */
    private String bitPlaneSigns(String plane, int rows, int cols) {
        if (signTable == null) {
            float[] t = new float[256 * 8];
            for (int b = 0; b < 256; b++) {
                for (int i = 0; i < 8; i++) {
                    t[b * 8 + i] = (b >>> i & 1) != 0 ? -1 : 1;
                }
            }
            signTable = o.graph().floats("sign_bits", t, 256, 8);
        }
        int stride = (cols + 7) / 8;
        String signs = o.reshape(o.gather(signTable, o.cast(plane, DataType.INT32), 0), rows, (long) stride * 8);
        return stride * 8 == cols ? signs : o.slice(signs, 1, 0, cols);
    }

    /** A per-group {@code [rows, groups]} tensor spread over the columns {@code [rows, cols]}. */
    private String perColumn(String perGroup, Grouping g, int cols, String name) {
        long[] group = new long[cols];
        int length = g.groupLength(cols);
        for (int i = 0; i < cols; i++) {
            group[i] = g.kind() == Grouping.Kind.ROW ? 0 : i / length;
        }
        return o.gather(perGroup, o.int64s(group), 1);
    }

    private String part(StoredWeight w, String name, DataType type) {
        TensorView t = w.part(name);
        MemorySegment data = t.data();
        return o.graph().initializer(o.graph().fresh(w.name() + "." + name), type, t.shape(), data);
    }
}
