package org.qins.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qins.api.LayerContext;
import org.qins.api.Options;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;
import org.qins.codec.QinsLinearProvider;

/** Measures why Pattern A is needed: the legacy layer is far from the float product, QinsLinear is close. */
@SuppressWarnings("deprecation")
class ProjectiveLinearTest {

    static final LayerSpec SPEC = new LayerSpec("model.layers.0.self_attn.o_proj", 64, 256);

    static float[] gaussian(long seed, int n, double sigma) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (sigma * Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        return w;
    }

    static double relativeError(float[] ref, float[] y) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < ref.length; i++) {
            num += (double) (y[i] - ref[i]) * (y[i] - ref[i]);
            den += (double) ref[i] * ref[i];
        }
        return Math.sqrt(num / den);
    }

    @Test
    void legacyOutputDiffersGrosslyWhilePatternAMatchesTheFloatProduct() {
        float[] w = gaussian(1, 64 * 256, 0.02);
        int batch = 2;
        float[] x = gaussian(2, batch * 256, 1);
        float[] ref = new float[batch * 64];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < 64; o++) {
                double s = 0;
                for (int i = 0; i < 256; i++) {
                    s += (double) w[o * 256 + i] * x[b * 256 + i];
                }
                ref[b * 64 + o] = (float) s;
            }
        }
        TensorView weight = TensorView.ofFloats(SPEC.name() + ".weight", w, 64, 256);
        ProjectiveLinearProvider legacy = new ProjectiveLinearProvider();
        QinsLinearProvider patternA = new QinsLinearProvider();
        for (String layout : new String[] {"qins9", "qins8", "qins8-seed"}) {
            StoredWeight stored = WeightFormat.forName(layout).encode(SPEC, weight, Options.none());
            float[] yLegacy = new float[batch * 64];
            float[] yA = new float[batch * 64];
            legacy.load(SPEC, stored, LayerContext.sequential()).forward(x, yLegacy, batch);
            patternA.load(SPEC, stored, LayerContext.sequential()).forward(x, yA, batch);
            double eLegacy = relativeError(ref, yLegacy);
            double eA = relativeError(ref, yA);
            System.out.printf("%-10s relative output error: legacy %.3f, Pattern A %.5f%n", layout, eLegacy, eA);
            assertThat(eLegacy).as(layout).isGreaterThan(0.5);
            assertThat(eA).as(layout).isLessThan(0.03);
        }
    }

    @Test
    void providerIsDeprecatedAndReadsTheCodecsFormats() {
        ProjectiveLinearProvider p = new ProjectiveLinearProvider();
        assertThat(p.name()).isEqualTo("qins-legacy");
        assertThat(p.deprecated()).isTrue();
        assertThat(p.priority()).isZero();
        assertThat(p.formats()).isEqualTo(new QinsLinearProvider().formats());
        assertThat(p.preferredFormat()).isEqualTo("qins9");
        float[] w = gaussian(3, 64 * 256, 0.02);
        TensorView weight = TensorView.ofFloats("w", w, 64, 256);
        LinearLayer fromFloat = p.load(SPEC, StoredWeight.ofFloat(SPEC.name(), weight), LayerContext.sequential());
        assertThat(fromFloat.describe()).contains("DEPRECATED");
        assertThat(ProjectiveLinear.class.isAnnotationPresent(Deprecated.class)).isTrue();
    }
}
