package org.qins.it.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qins.api.LayerSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.codec.QinsCodec;
import org.qins.api.WeightFormat;

/** The calibration experiment's encoders: equal to the codec where they must be, and doing what they claim. */
class CalibratedEncoderTest {

    static final int ROWS = 24;
    static final int COLS = 88; // a partial last block

    static float[] weights(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[ROWS * COLS];
        for (int i = 0; i < w.length; i++) {
            double u = 1 - r.nextDouble();
            double g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble()) * 0.02;
            w[i] = (float) (r.nextDouble() < 0.01 ? 8 * g : g);
        }
        return w;
    }

    /** H of correlated inputs with uneven magnitudes (x = A z, z ~ N(0, I)). */
    static double[] correlatedGram(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[COLS * COLS];
        for (int i = 0; i < COLS; i++) {
            double scale = Math.exp(r.nextDouble() * 3);
            for (int j = 0; j < COLS; j++) {
                a[i * COLS + j] = (i == j ? 1 : 0.3 * (r.nextDouble() - 0.5)) * scale;
            }
        }
        double[] h = new double[COLS * COLS];
        for (int i = 0; i < COLS; i++) {
            for (int j = 0; j < COLS; j++) {
                double s = 0;
                for (int k = 0; k < COLS; k++) {
                    s += a[i * COLS + k] * a[j * COLS + k];
                }
                h[i * COLS + j] = s;
            }
        }
        return h;
    }

    static double[] identity(double d) {
        double[] h = new double[COLS * COLS];
        for (int i = 0; i < COLS; i++) {
            h[i * COLS + i] = d;
        }
        return h;
    }

    static float[] decode(StoredWeight s) {
        return WeightFormat.forName(s.format()).decode(new LayerSpec("l", ROWS, COLS), s).toFloatArray();
    }

    /** tr((W - Q) H (W - Q)^T): the layer's output error summed over the calibration inputs. */
    static double outputError(float[] w, float[] q, double[] h) {
        double total = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < COLS; i++) {
                double ei = (double) w[r * COLS + i] - q[r * COLS + i];
                for (int j = 0; j < COLS; j++) {
                    total += ei * h[i * COLS + j] * ((double) w[r * COLS + j] - q[r * COLS + j]);
                }
            }
        }
        return total;
    }

    @Test
    void withoutCorrelationsEveryMethodIsTheCodecsMseFitByteForByte() {
        float[] w = weights(1);
        float[] codec = QinsCodec.decode(QinsCodec.encode("l", w, ROWS, COLS, LogGrid.FORMAT));
        // Equal input magnitudes: the weighted fit is the plain one; no correlations: GPTQ has nothing to spread.
        for (CalibratedEncoder.Method m : CalibratedEncoder.Method.values()) {
            StoredWeight s = CalibratedEncoder.encode("l", w, ROWS, COLS, identity(2.5), m);
            assertThat(decode(s)).as(m.id()).containsExactly(codec);
        }
        StoredWeight plain = CalibratedEncoder.encode("l", w, ROWS, COLS, identity(1), CalibratedEncoder.Method.PLAIN);
        StoredWeight fromCodec = QinsCodec.encode("l", w, ROWS, COLS, LogGrid.FORMAT).toStored();
        for (String part : new String[] {"codes", "signs", "scales"}) {
            TensorView a = plain.part(part);
            TensorView b = fromCodec.part(part);
            assertThat(a.shape()).isEqualTo(b.shape());
            assertThat(a.toByteArray()).as(part).containsExactly(b.toByteArray());
        }
    }

    @Test
    void calibratedMethodsLowerTheOutputErrorTheyAimAt() {
        for (long seed = 0; seed < 3; seed++) {
            float[] w = weights(seed);
            double[] h = correlatedGram(seed + 10);
            double plain = outputError(w, decode(CalibratedEncoder.encode("l", w, ROWS, COLS, h, CalibratedEncoder.Method.PLAIN)), h);
            double gptq = outputError(w, decode(CalibratedEncoder.encode("l", w, ROWS, COLS, h, CalibratedEncoder.Method.GPTQ)), h);
            System.out.printf("seed %d: output error gptq / plain = %.3f%n", seed, gptq / plain);
            assertThat(gptq).as("seed %d", seed).isLessThan(0.9 * plain); // measured 0.65 to 0.85
        }
    }
}
