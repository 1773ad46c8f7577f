package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qins.api.Options;

/** The clipped policy's scale fit: max (the largest |w|) against mse (searched scale, nearest-in-value codes). */
class ScaleFitTest {

    static final int ROWS = 64;
    static final int COLS = 256;
    static final QinsFormat MAX = QinsFormat.DEFAULTS.withFit(ScaleFit.MAX);
    static final QinsFormat MSE = QinsFormat.DEFAULTS.withFit(ScaleFit.MSE);

    static float[] gaussian(long seed, int n, double sigma) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (Weights.gaussian(r) * sigma);
        }
        return w;
    }

    static double[] groupErrors(float[] w, float[] d, int group) {
        double[] e = new double[w.length / group];
        for (int i = 0; i < w.length; i++) {
            double x = (double) w[i] - d[i];
            e[i / group] += x * x;
        }
        return e;
    }

    @Test
    void theFittedScaleNeverLosesToTheMaxInAnyBlockAndWinsOverall() {
        for (long seed = 0; seed < 4; seed++) {
            float[] w = seed % 2 == 0 ? gaussian(seed, ROWS * COLS, 0.02) : Weights.heavyTailed(seed, ROWS * COLS, 0.02);
            float[] dMax = QinsCodec.decode(QinsCodec.encode("t", w, ROWS, COLS, MAX));
            float[] dMse = QinsCodec.decode(QinsCodec.encode("t", w, ROWS, COLS, MSE));
            double[] eMax = groupErrors(w, dMax, 32);
            double[] eMse = groupErrors(w, dMse, 32);
            for (int g = 0; g < eMax.length; g++) {
                // The max fit's scale is a candidate: the search can only keep or lower a block's error
                // (up to the float rounding of the decoded product).
                assertThat(eMse[g]).as("block %d, seed %d", g, seed).isLessThanOrEqualTo(eMax[g] * (1 + 1e-9) + 1e-18);
            }
            double relMax = CodecDefaultsMeasurementTest.relativeError(w, dMax);
            double relMse = CodecDefaultsMeasurementTest.relativeError(w, dMse);
            // Measured: about 0.89x on N(0, 0.02) blocks of 32 (squared error about 0.8x).
            assertThat(relMse).as("seed %d", seed).isLessThan(0.93 * relMax);
        }
    }

    @Test
    void everyCodeDecodesToTheNearestValueOnItsBlocksGrid() {
        float[] w = Weights.heavyTailed(11, ROWS * COLS, 0.02);
        QinsTensor t = QinsCodec.encode("t", w, ROWS, COLS, MSE);
        float[] d = QinsCodec.decode(t);
        float[] table = DecodeTable.magnitudes(MSE.sharedStep(), 255);
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < COLS; i++) {
                int k = r * COLS + i;
                float scale = t.scaleAt(t.rangeIndex(r, i));
                double a = Math.abs(w[k]);
                if (a < scale * table[255]) {
                    continue; // below the range: the below-range rule decides
                }
                double err = Math.abs(a - Math.abs(d[k]));
                for (int c = 1; c <= 255; c++) {
                    // Up to the float rounding of the decoded product (near-ties).
                    assertThat(err).as("weight %d against code %d", k, c)
                            .isLessThanOrEqualTo(Math.abs(a - (double) scale * table[c]) + 1e-6 * a);
                }
            }
        }
    }

    @Test
    void fittedScalesStayFp16AndWithinOneCodeStepOfTheMax() {
        float[] w = gaussian(5, ROWS * COLS, 0.02);
        QinsTensor t = QinsCodec.encode("t", w, ROWS, COLS, MSE);
        double ratio = Math.exp(MSE.sharedStep());
        for (int r = 0; r < ROWS; r++) {
            for (int g = 0; g < COLS / 32; g++) {
                float max = 0;
                for (int i = g * 32; i < g * 32 + 32; i++) {
                    max = Math.max(max, Math.abs(w[r * COLS + i]));
                }
                float scale = t.scaleAt(t.rangeIndex(r, g * 32));
                assertThat(Float.float16ToFloat(Float.floatToFloat16(scale))).isEqualTo(scale);
                assertThat((double) scale).isBetween(max / ratio * (1 - 1e-3), max * ratio * (1 + 1e-3));
            }
        }
    }

    /** The qins9 weight format's encoding for these options, checked as the converter checks them. */
    static QinsFormat qins9(Map<String, String> options) {
        QinsWeightFormat f = new QinsWeightFormat.Qins9();
        return f.format(Options.of("qins9", f.options(), options));
    }

    @Test
    void theFitIsAnOptionRecordedInMetadataAndOldCheckpointsReadAsMax() {
        assertThat(qins9(Map.of("fit", "max")).fit()).isEqualTo(ScaleFit.MAX);
        assertThat(qins9(Map.of()).fit()).isEqualTo(QinsFormat.DEFAULTS.fit());
        assertThat(qins9(Map.of("policy", "minmax")).fit()).as("only the clipped policy fits its scale").isEqualTo(ScaleFit.MAX);
        assertThatThrownBy(() -> qins9(Map.of("policy", "minmax", "fit", "mse")))
                .hasMessageContaining("option 'fit' applies to the clipped policy only");
        assertThatThrownBy(() -> qins9(Map.of("fit", "median"))).hasMessageContaining("option 'fit' must be one of max, mse");

        Map<String, String> meta = MSE.toMetadata();
        assertThat(meta).containsEntry("qins.fit", "mse");
        assertThat(QinsFormat.fromMetadata("l", "qins9", meta)).isEqualTo(MSE);
        Map<String, String> old = new HashMap<>(meta);
        old.remove("qins.fit");
        assertThat(QinsFormat.fromMetadata("l", "qins9", old).fit()).isEqualTo(ScaleFit.MAX);
    }

    @Test
    void decodingDoesNotDependOnTheFit() {
        // The same stored parts read under either fit's metadata decode to the same floats.
        float[] w = Weights.heavyTailed(3, 8 * 64, 0.02);
        QinsTensor t = QinsCodec.encode("l", w, 8, 64, MSE);
        org.qins.api.StoredWeight stored = t.toStored();
        Map<String, String> asMax = new HashMap<>(stored.metadata());
        asMax.put("qins.fit", "max");
        org.qins.api.LayerSpec spec = new org.qins.api.LayerSpec("l", 8, 64);
        float[] a = QinsCodec.decode(QinsTensor.fromStored(spec, stored));
        float[] b = QinsCodec.decode(QinsTensor.fromStored(spec,
                new org.qins.api.StoredWeight("l", stored.format(), stored.parts(), asMax)));
        assertThat(b).containsExactly(a);
    }

    static double blockError(BlockFit fit, double[] a, double[] importance, float s) {
        double e = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - fit.decode(fit.code(a[i], s), s);
            e += (importance == null ? 1 : importance[i]) * d * d;
        }
        return e;
    }

    @Test
    void theSweepFindsTheBestCandidateThatAnExhaustiveSearchFinds() {
        BlockFit fit = new BlockFit(MSE);
        SplittableRandom r = new SplittableRandom(9);
        double step = MSE.sharedStep();
        for (int trial = 0; trial < 300; trial++) {
            double[] a = new double[32];
            double[] importance = trial % 2 == 0 ? null : new double[32];
            for (int i = 0; i < 32; i++) {
                a[i] = Math.abs(Weights.gaussian(r)) * (r.nextDouble() < 0.05 ? 8 : 1) * 0.02;
                if (importance != null) {
                    importance[i] = Math.exp(3 * Weights.gaussian(r));
                }
            }
            float max = 0;
            for (double x : a) {
                max = Math.max(max, (float) x);
            }
            double best = Double.POSITIVE_INFINITY;
            for (short h = Float.floatToFloat16((float) (max * Math.exp(-step))); Float.float16ToFloat(h) <= max * Math.exp(step); h++) {
                if (Float.float16ToFloat(h) >= max * Math.exp(-step)) {
                    best = Math.min(best, blockError(fit, a, importance, Float.float16ToFloat(h)));
                }
            }
            float s = fit.fitScale(a, 32, importance, true);
            assertThat(blockError(fit, a, importance, s)).as("trial %d", trial).isLessThanOrEqualTo(best * (1 + 1e-9));
        }
    }

    @Test
    void aWeightThatMattersMostIsFittedBest() {
        BlockFit fit = new BlockFit(MSE);
        double[] a = new double[32];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 32; i++) {
            a[i] = 0.01 + 0.02 * r.nextDouble();
        }
        double[] importance = new double[32];
        java.util.Arrays.fill(importance, 1e-6);
        importance[7] = 1;
        float s = fit.fitScale(a, 32, importance, true);
        double plainScale = fit.fitScale(a, 32, null, true);
        double e7 = Math.abs(a[7] - fit.decode(fit.code(a[7], s), s));
        // One code step is 2.2 %; the scale's fp16 spacing (about 0.1 %) bounds how near weight 7 can get.
        assertThat(e7 / a[7]).isLessThan(1.5e-3);
        assertThat(e7).isLessThanOrEqualTo(Math.abs(a[7] - fit.decode(fit.code(a[7], (float) plainScale), (float) plainScale)));
    }
}
