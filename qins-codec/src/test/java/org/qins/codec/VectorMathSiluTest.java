package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.qins.api.kernel.VectorMath;

/** The vectorised SwiGLU activation against {@code g / (1 + e^-g) * u} in double precision. */
class VectorMathSiluTest {

    @Test
    void siluMulMatchesTheFormulaIncludingTailsAndSaturation() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {1, 15, 16, 37, 5632}) {
            float[] g = new float[n + 3];
            float[] u = new float[n + 5];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) (r.nextGaussian() * 4);
            }
            for (int i = 0; i < u.length; i++) {
                u[i] = (float) r.nextGaussian();
            }
            g[3] = -100f; // e^100 overflows float: silu -> -0
            g[n + 2] = 100f; // e^-100 underflows: silu -> g
            float[] out = new float[n + 1];
            VectorMath.siluMul(g, 3, u, 5, out, 1, n);
            assertThat(out[0]).as("nothing written before outOff").isZero();
            for (int i = 0; i < n; i++) {
                double gi = g[3 + i];
                double expected = gi / (1 + Math.exp(-gi)) * u[5 + i];
                assertThat((double) out[1 + i]).as("n=%d i=%d g=%f", n, i, gi)
                        .isCloseTo(expected, Offset.offset(4e-7 * Math.abs(expected) + 1e-30));
            }
        }
    }
}
