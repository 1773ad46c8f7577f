package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Measures the relative weight error ||w' - w|| / ||w|| of candidate formats on N(0, 0.02) weights
 * with heavy tails, and guards the choice of {@link QinsFormat#DEFAULTS}.
 */
class CodecDefaultsMeasurementTest {

    static double relativeError(float[] w, float[] d) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < w.length; i++) {
            num += (double) (w[i] - d[i]) * (w[i] - d[i]);
            den += (double) w[i] * w[i];
        }
        return Math.sqrt(num / den);
    }

    static Map<String, Double> measure() {
        int rows = 128;
        int cols = 512;
        float[] w = Weights.heavyTailed(42, rows * cols, 0.02);
        Map<String, QinsFormat> candidates = new LinkedHashMap<>();
        candidates.put("qins8-seed tensor minmax", QinsFormat.SEED);
        for (QinsLayout l : new QinsLayout[] {QinsLayout.QINS9, QinsLayout.QINS8}) {
            candidates.put(l.id() + " row minmax", new QinsFormat(l, Grouping.ROW, RangePolicy.MINMAX, 0, BelowRange.NEAREST));
            candidates.put(l.id() + " 32 minmax", new QinsFormat(l, Grouping.block(32), RangePolicy.MINMAX, 0, BelowRange.NEAREST));
            candidates.put(l.id() + " 32 mse", new QinsFormat(l, Grouping.block(32), RangePolicy.MSE, 0, BelowRange.NEAREST));
            for (int perOctave : new int[] {8, 16, 32, 64}) {
                double width = (double) l.steps() / perOctave;
                candidates.put(l.id() + " 32 clipped " + perOctave + "/oct (W=" + width + ")",
                        new QinsFormat(l, Grouping.block(32), RangePolicy.CLIPPED, width, BelowRange.NEAREST));
            }
            double width = QinsFormat.defaultWidth(l);
            candidates.put(l.id() + " 32 clipped default width fit=mse",
                    new QinsFormat(l, Grouping.block(32), RangePolicy.CLIPPED, width, BelowRange.NEAREST).withFit(ScaleFit.MSE));
        }
        Map<String, Double> errors = new LinkedHashMap<>();
        candidates.forEach((name, f) -> errors.put(name, relativeError(w, QinsCodec.decode(QinsCodec.encode("t", w, rows, cols, f)))));
        return errors;
    }

    @Test
    void defaultFormatIsTheMostAccurateTableDecodableQins9Candidate() {
        Map<String, Double> errors = measure();
        errors.forEach((k, v) -> System.out.printf("relative weight error %-45s %.5f%n", k, v));
        double maxFit = errors.get("qins9 32 clipped 32/oct (W=7.9375)");
        double chosen = errors.get("qins9 32 clipped default width fit=mse");
        assertThat(QinsFormat.DEFAULTS).isEqualTo(new QinsFormat(QinsLayout.QINS9, Grouping.block(32), RangePolicy.CLIPPED, 7.9375,
                BelowRange.NEAREST).withFit(ScaleFit.MSE));
        assertThat(chosen).as("the fitted scale against the max").isLessThan(0.95 * maxFit);
        // Best of the table-decodable qins9 widths; within 5% of per-block minmax, which needs an extra
        // F32 width per block (1.375 vs 1.1875 B/weight) and an exp per weight to decode.
        assertThat(chosen).isLessThan(errors.get("qins9 row minmax"))
                .isLessThan(errors.get("qins9 32 clipped 16/oct (W=15.875)"))
                .isLessThan(errors.get("qins9 32 clipped 64/oct (W=3.96875)"))
                .isLessThan(errors.get("qins8-seed tensor minmax"))
                .isLessThan(errors.get("qins9 32 minmax"));
        assertThat(chosen).isLessThan(0.01);
    }
}
