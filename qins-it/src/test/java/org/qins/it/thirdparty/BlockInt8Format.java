package org.qins.it.thirdparty;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Map;
import org.qins.api.DType;
import org.qins.api.LayerSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;

/**
 * A third party's weight format, written only against qins-api and registered in this module's
 * test {@code META-INF/services}: symmetric int8 with one absmax scale per block of
 * {@code block} inputs (block = whole row for {@code int8-row}; 32 with fp16 scales for
 * {@code q8_0}, as llama.cpp's Q8_0). Parts {@code q} (I8) and {@code scale}; metadata {@code block}.
 * It doubles as the comparison baseline for the QINS codec.
 */
public abstract class BlockInt8Format implements WeightFormat {

    /** Block size for a layer of {@code in} inputs. */
    protected abstract int block(int in);

    /** Whether scales are rounded to fp16 (Q8_0 stores them so). */
    protected abstract boolean fp16Scales();

    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, Options options) {
        spec.checkShape(weight);
        int out = spec.outFeatures();
        int in = spec.inFeatures();
        int block = block(in);
        int blocks = (in + block - 1) / block;
        byte[] q = new byte[out * in];
        float[] scales = new float[out * blocks];
        float[] row = new float[in];
        for (int o = 0; o < out; o++) {
            weight.copyFloats((long) o * in, row, 0, in);
            for (int b = 0; b < blocks; b++) {
                int from = b * block;
                int to = Math.min(in, from + block);
                float amax = 0;
                for (int i = from; i < to; i++) {
                    amax = Math.max(amax, Math.abs(row[i]));
                }
                float scale = amax / 127f;
                if (fp16Scales()) {
                    scale = Float.float16ToFloat(Float.floatToFloat16(scale));
                }
                scales[o * blocks + b] = scale;
                for (int i = from; i < to; i++) {
                    q[o * in + i] = (byte) (scale == 0 ? 0 : Math.max(-127, Math.min(127, Math.round(row[i] / scale))));
                }
            }
        }
        return new StoredWeight(spec.name(), name(), Map.of(
                "q", new TensorView(spec.name() + ".q", DType.I8, new long[] {out, in}, MemorySegment.ofArray(q)),
                "scale", fp16Scales() ? f16(spec.name() + ".scale", scales, out, blocks)
                        : TensorView.ofFloats(spec.name() + ".scale", scales, out, blocks)),
                Map.of("block", Integer.toString(block)));
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        return TensorView.ofFloats(spec.name() + ".weight", Blocks.of(spec, stored).dequantized(), spec.outFeatures(),
                spec.inFeatures());
    }

    /** Scales as an F16 tensor (they are already rounded to fp16). */
    private static TensorView f16(String name, float[] v, long... shape) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort(Float.floatToFloat16(f));
        }
        return new TensorView(name, DType.F16, shape, MemorySegment.ofArray(b.array()));
    }

    /** A stored weight's codes and scales, read back. */
    record Blocks(LayerSpec spec, byte[] q, float[] scales, int block, int scaleBytes) {

        static Blocks of(LayerSpec spec, StoredWeight stored) {
            TensorView scale = stored.part("scale");
            return new Blocks(spec, stored.part("q").toByteArray(), scale.toFloatArray(), Integer.parseInt(stored.meta("block")),
                    scale.dtype().bytes());
        }

        float[] dequantized() {
            int in = spec.inFeatures();
            int blocks = (in + block - 1) / block;
            float[] w = new float[q.length];
            for (int k = 0; k < q.length; k++) {
                w[k] = q[k] * scales[(k / in) * blocks + (k % in) / block];
            }
            return w;
        }
    }

    /** Int8 with one float scale per row. */
    public static final class PerRow extends BlockInt8Format {
        @Override
        public String name() {
            return "int8-row";
        }

        @Override
        public String description() {
            return "third-party example: int8 absmax, one scale per row";
        }

        @Override
        protected int block(int in) {
            return in;
        }

        @Override
        protected boolean fp16Scales() {
            return false;
        }
    }

    /** llama.cpp's Q8_0: int8 with an fp16 absmax scale per block of 32 (1.0625 bytes/weight). */
    public static class Q8_0 extends BlockInt8Format {
        @Override
        public String name() {
            return "q8_0";
        }

        @Override
        public String description() {
            return "third-party example: Q8_0-style int8, fp16 scale per block of 32";
        }

        @Override
        protected int block(int in) {
            return 32;
        }

        @Override
        protected boolean fp16Scales() {
            return true;
        }
    }
}
