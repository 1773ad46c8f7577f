package org.qins.codec;

import java.util.List;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;

/**
 * Run by {@link EightLaneKernelTest} in a JVM limited to AVX2 ({@code -XX:UseAVX=2}): checks that the
 * table kernels run with 8 float lanes (four-table lookups for 32 codes per octave) and match
 * decode-then-multiply. Prints the kernel names; exits 1 on a mismatch.
 */
public final class EightLaneMain {

    public static void main(String[] args) {
        QinsFormat q8 = new QinsFormat(QinsLayout.QINS8, Grouping.block(32), RangePolicy.CLIPPED, QinsFormat.WIDTH_QINS8, BelowRange.NEAREST);
        int out = 24;
        int in = 200; // a partial last block: scalar tails too
        for (QinsFormat f : List.of(QinsFormat.DEFAULTS, q8)) {
            float[] w = Weights.heavyTailed(7, out * in, 0.02);
            for (int i = 0; i < w.length; i += 11) {
                w[i] = 0f;
            }
            QinsTensor t = QinsCodec.encode("l", w, out, in, f);
            QinsLinear layer = new QinsLinear(new LayerSpec("l", out, in), t, LayerContext.sequential());
            System.out.println("lanes=" + LutVectorKernel.L + " kernel=" + layer.kernelName());
            float[] d = QinsCodec.decode(t);
            for (int batch : new int[] {1, 3}) {
                float[] x = QinsLinearTest.input(batch, batch * in);
                float[] y = new float[batch * out];
                layer.forward(x, y, batch);
                for (int b = 0; b < batch; b++) {
                    for (int o = 0; o < out; o++) {
                        double ref = 0;
                        double mag = 0;
                        for (int i = 0; i < in; i++) {
                            ref += (double) d[o * in + i] * x[b * in + i];
                            mag += Math.abs((double) d[o * in + i] * x[b * in + i]);
                        }
                        if (Math.abs(y[b * out + o] - ref) > 1e-5 * mag + 1e-30) {
                            System.out.println("MISMATCH " + f + " batch " + batch + " row " + o + ": " + y[b * out + o] + " vs " + ref);
                            System.exit(1);
                        }
                    }
                }
            }
        }
        System.out.println("ok");
    }
}
