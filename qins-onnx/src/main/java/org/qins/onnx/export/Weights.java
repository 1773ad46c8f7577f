package org.qins.onnx.export;

import java.nio.file.Path;
import java.util.Arrays;
import org.qins.api.DType;
import org.qins.api.LayerSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.onnx.graph.DataType;
import org.qins.onnx.graph.Ops;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.FiniteCheck;

/**
 * The checkpoint's tensors as graph values: float tensors as initializers in their stored type (F16 and BF16
 * cast to float in the graph), linear weights as float {@code [in, out]} matrices for {@code MatMul}: a float
 * weight transposed, a QINS weight decoded by {@link QinsDecode} and transposed. Other formats are refused
 * naming the weight.
 */
final class Weights {

    private final Ops o;
    private final Checkpoint ckpt;
    private final QinsDecode qins;

    Weights(Ops o, Checkpoint ckpt) {
        this.o = o;
        this.ckpt = ckpt;
        this.qins = new QinsDecode(o);
    }

    /** A float tensor of the checkpoint, checked finite and of {@code shape}, as a float graph value. */
    String tensor(String name, long... shape) {
        TensorView t = ckpt.tensor(name);
        Path file = ckpt.fileOf(name);
        if (!t.dtype().isFloat() || !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' is " + t.dtype() + Arrays.toString(t.shape())
                    + ", expected a float tensor of shape " + Arrays.toString(shape));
        }
        FiniteCheck.requireFiniteWeights(t, file);
        return floatValue(t);
    }

    private String floatValue(TensorView t) {
        DataType type = switch (t.dtype()) {
            case F32 -> DataType.FLOAT;
            case F16 -> DataType.FLOAT16;
            case BF16 -> DataType.BFLOAT16;
            default -> throw new IllegalStateException(t.dtype().toString());
        };
        String v = o.graph().initializer(o.graph().fresh(t.name()), type, t.shape(), t.data());
        return t.dtype() == DType.F32 ? v : o.cast(v, DataType.FLOAT);
    }

    /** The linear layer {@code spec} as a float {@code [in, out]} value. */
    String linear(LayerSpec spec) {
        return linear(ckpt.linear(spec.name()), spec);
    }

    String linear(StoredWeight w, LayerSpec spec) {
        String outIn;
        if (w.isFloat()) {
            TensorView t = w.part(StoredWeight.WEIGHT);
            spec.checkShape(t);
            FiniteCheck.requireFiniteWeights(t, ckpt.fileOf(t.name()));
            outIn = floatValue(t);
        } else if (QinsDecode.reads(w.format())) {
            outIn = qins.decode(w, spec);
        } else {
            throw new IllegalArgumentException(ckpt.directory() + ": weight '" + spec.name() + "' is stored as " + w.format()
                    + "; the ONNX export writes QINS layouts (qins9, qins8, qins8-seed) and float weights");
        }
        return o.transpose(outIn, 1, 0);
    }
}
