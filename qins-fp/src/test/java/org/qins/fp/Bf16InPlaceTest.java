package org.qins.fp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qins.api.DType;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Options;
import org.qins.api.Parallel;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/**
 * The float reference over bfloat16 weights reads them where they lie (nothing allocated) and gives
 * exactly the floats it gives over the same weights widened to float32: bf16 is the top half of a
 * float32, and the products sum in the same order.
 */
class Bf16InPlaceTest {

    @ParameterizedTest
    @CsvSource({"37,100,1", "37,100,7", "64,3072,1", "20,3072,16", "5,8,3", "13,96,8", "7,40,70"})
    void bf16InPlaceGivesTheSameFloatsAsItsFloat32Widening(int rows, int cols, int batch) {
        SplittableRandom r = new SplittableRandom(rows * 31L + cols);
        short[] bits = new short[rows * cols];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (short) (Float.floatToRawIntBits((float) r.nextGaussian() * 0.05f) >>> 16);
        }
        TensorView bf16 = new TensorView("w.weight", DType.BF16, new long[] {rows, cols}, MemorySegment.ofArray(bits));
        TensorView f32 = bf16.asF32();
        LayerSpec spec = new LayerSpec("w", rows, cols);
        Fp32LinearProvider p = new Fp32LinearProvider();
        assertThat(p.allocatedBytes(spec, StoredWeight.ofFloat("w", bf16), Options.none())).isZero();
        // the Vector API loops on both sides: the native float32 loop (kernel=auto for F32) sums in another order
        LayerContext ctx = new LayerContext(Parallel.SEQUENTIAL, Options.of(Fp32LinearProvider.NAME, p.options(),
                java.util.Map.of(Fp32LinearProvider.KERNEL, "vector")));
        LinearLayer inPlace = p.load(spec, StoredWeight.ofFloat("w", bf16), ctx);
        LinearLayer widened = p.load(spec, StoredWeight.ofFloat("w", f32), ctx);
        assertThat(inPlace.residentBytes()).isEqualTo(2L * rows * cols);
        assertThat(inPlace.describe()).isEqualTo("fp32 " + rows + "x" + cols + " (bf16 weights) kernel=vector");
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] a = new float[batch * rows];
        float[] b = new float[batch * rows];
        inPlace.forward(x, a, batch);
        widened.forward(x, b, batch);
        assertThat(a).containsExactly(b);
    }
}
