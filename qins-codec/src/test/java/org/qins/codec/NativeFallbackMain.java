package org.qins.codec;

import org.qins.api.LayerSpec;
import org.qins.api.Parallel;

/**
 * Run by {@link NativeFallbackTest} in a JVM whose classes lack the native library: {@code auto}
 * must run the Java kernels (and match decode-then-multiply), {@code native} must be refused with
 * the reason. Prints what it saw; exits 1 on a mismatch (an uncaught exception).
 */
public final class NativeFallbackMain {

    public static void main(String[] args) {
        System.out.println("status=" + NativeKernels.status());
        int out = 16;
        int in = 256;
        QinsTensor t = QinsCodec.encode("fallback", Weights.heavyTailed(3, out * in, 0.02), out, in, QinsFormat.DEFAULTS);
        QinsLinear layer = new QinsLinear(new LayerSpec("fallback", out, in), t, Parallel.SEQUENTIAL);
        System.out.println("auto=" + layer.kernelName());
        for (int batch : new int[] {1, 4, 8, 20}) {
            float[] x = QinsLinearTest.input(batch, batch * in);
            float[] y = new float[batch * out];
            layer.forward(x, y, batch);
            QinsLinearTest.checkAgainstDecoded(t, x, y, batch);
        }
        try {
            QinsKernels.NATIVE.create(t);
            System.out.println("native=accepted");
        } catch (IllegalArgumentException e) {
            System.out.println("native=refused: " + e.getMessage());
        }
        System.out.println("ok");
    }
}
