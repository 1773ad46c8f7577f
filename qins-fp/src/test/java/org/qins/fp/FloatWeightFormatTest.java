package org.qins.fp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qins.api.DType;
import org.qins.api.LayerSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;

class FloatWeightFormatTest {

    static final LayerSpec SPEC = new LayerSpec("w", 8, 16);

    static float[] values() {
        SplittableRandom r = new SplittableRandom(3);
        float[] v = new float[8 * 16];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-6, 5)));
        }
        v[0] = 0f;
        v[1] = -0f;
        v[2] = Float.MIN_VALUE;
        return v;
    }

    @Test
    void theThreeFloatFormatsAreFoundByName() {
        assertThat(WeightFormat.forName("f32")).isInstanceOf(FloatWeightFormat.F32Format.class);
        assertThat(WeightFormat.forName("f16")).isInstanceOf(FloatWeightFormat.F16Format.class);
        assertThat(WeightFormat.forName("bf16")).isInstanceOf(FloatWeightFormat.Bf16Format.class);
    }

    @Test
    void f32RoundTripsExactlyAndKeepsTheSourceBytes() {
        float[] v = values();
        TensorView t = TensorView.ofFloats("w.weight", v, 8, 16);
        StoredWeight s = WeightFormat.forName("f32").encode(SPEC, t, Options.none());
        assertThat(s.format()).isEqualTo("f32");
        assertThat(s.part(StoredWeight.WEIGHT).data()).isSameAs(t.data());
        assertThat(WeightFormat.forName("f32").decode(SPEC, s).toFloatArray()).containsExactly(v);
    }

    @Test
    void f16AndBf16RoundToNearestEvenAndDecodeExactlyWhatTheyStore() {
        float[] v = values();
        TensorView t = TensorView.ofFloats("w.weight", v, 8, 16);
        float[] f16 = WeightFormat.forName("f16").decode(SPEC, WeightFormat.forName("f16").encode(SPEC, t, Options.none())).toFloatArray();
        StoredWeight b = WeightFormat.forName("bf16").encode(SPEC, t, Options.none());
        assertThat(b.part(StoredWeight.WEIGHT).dtype()).isEqualTo(DType.BF16);
        float[] bf16 = WeightFormat.forName("bf16").decode(SPEC, b).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertThat(f16[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(v[i])));
            assertThat(bf16[i]).isEqualTo(bf16Reference(v[i]));
        }
    }

    /** Round to nearest even on the 16 dropped bits, computed in long arithmetic. */
    static float bf16Reference(float x) {
        long bits = Float.floatToRawIntBits(x) & 0xFFFFFFFFL;
        long low = bits & 0xFFFF;
        long high = bits >>> 16;
        if (low > 0x8000 || (low == 0x8000 && (high & 1) == 1)) {
            high++;
        }
        return Float.intBitsToFloat((int) (high << 16));
    }
}
