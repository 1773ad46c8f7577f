package org.qins.codec;

import java.util.List;
import org.qins.api.Parallel;
import org.qins.api.LayerSpec;

/**
 * Run by {@link EightLaneKernelTest} in a JVM limited to AVX2 ({@code -XX:UseAVX=2}): checks that the
 * table kernels run with 8 float lanes (four-table lookups for 32 codes per octave) and match
 * decode-then-multiply. Prints the kernel names; exits 1 on a mismatch (an uncaught assertion error).
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
            // the Java kernels by name: auto would take the native loops for qins9 where they are built
            QinsLinear layer = new QinsLinear(new LayerSpec("l", out, in), t, Parallel.SEQUENTIAL, QinsKernels.VECTOR.create(t), null);
            System.out.println("lanes=" + LutVectorKernel.L + " kernel=" + layer.kernelName());
            for (int batch : new int[] {1, 3, 8, 45}) { // 8 and 45: the packed product with 8-lane panels
                float[] x = QinsLinearTest.input(batch, batch * in);
                float[] y = new float[batch * out];
                layer.forward(x, y, batch);
                QinsLinearTest.checkAgainstDecoded(t, x, y, batch); // throws (exit 1) on a mismatch
            }
        }
        System.out.println("ok");
    }
}
