package org.qins.it.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.codec.Grouping;
import org.qins.codec.QinsFormat;
import org.qins.codec.QinsLayout;
import org.qins.codec.RangePolicy;
import org.qins.codec.ScaleFit;

/**
 * Issues 4.5 and 15: every layout, group, range policy and scale fit on the fixtures (three random
 * ones and tiny-stories-1m, a real trained model), next to a
 * per-row int8 and a Q8_0-style provider (third parties, test code). Writes the table to
 * {@code target/fidelity-sweep.md} (the README's table) and asserts what the README claims.
 */
class CodecFidelityTest {

    static final String W9 = Double.toString(254.0 / 32); // 32 codes per octave
    static final String W8 = Double.toString(126.0 / 16); // 16 codes per octave
    static final List<String> FIXTURES = List.of("tiny-llama", "tiny-phi3", "tiny-llama-tied", "tiny-stories-1m");

    /** Today's default until issue 15: the block's scale is its largest |w|. */
    static final SweepConfig TODAY = SweepConfig.qins("qins9", "32", "clipped", W9, "max");
    static final SweepConfig DEFAULT = SweepConfig.qins("qins9", "32", "clipped", W9, "mse");
    static final SweepConfig SMALL = SweepConfig.qins("qins8", "32", "clipped", W8, "mse");
    static final SweepConfig Q8_0 = SweepConfig.other("q8_0");
    static final SweepConfig INT8_ROW = SweepConfig.other("int8-row");

    static final List<SweepConfig> CONFIGS = List.of(
            SweepConfig.qins("qins8-seed", "tensor", "minmax", null),
            SweepConfig.qins("qins9", "row", "minmax", null),
            SweepConfig.qins("qins9", "row", "mse", null),
            SweepConfig.qins("qins9", "32", "minmax", null),
            SweepConfig.qins("qins9", "32", "mse", null),
            SweepConfig.qins("qins9", "32", "clipped", Double.toString(254.0 / 64), "mse"),
            SweepConfig.qins("qins9", "32", "clipped", "6", "mse"),
            TODAY,
            DEFAULT,
            SweepConfig.qins("qins9", "32", "clipped", Double.toString(254.0 / 16), "mse"),
            SweepConfig.qins("qins9", "64", "clipped", W9, "mse"),
            SweepConfig.qins("qins9", "128", "clipped", W9, "mse"),
            SweepConfig.qins("qins8", "row", "minmax", null),
            SweepConfig.qins("qins8", "32", "minmax", null),
            SweepConfig.qins("qins8", "32", "mse", null),
            SweepConfig.qins("qins8", "32", "clipped", W8, "max"),
            SMALL,
            INT8_ROW,
            Q8_0);

    /** results[config][fixture]. */
    static final Map<SweepConfig, Map<String, SweepResult>> RESULTS = new LinkedHashMap<>();

    @BeforeAll
    static void sweep(@TempDir Path work) throws IOException {
        FidelitySweep sweep = new FidelitySweep();
        for (SweepConfig c : CONFIGS) {
            Map<String, SweepResult> row = new LinkedHashMap<>();
            for (String f : FIXTURES) {
                row.put(f, sweep.score(Path.of(System.getProperty("qins.fixtures"), f), c, work));
            }
            RESULTS.put(c, row);
        }
        String table = table();
        Path out = Path.of("target", "fidelity-sweep.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        System.out.println(table);
    }

    static double meanKl(SweepConfig c) {
        return RESULTS.get(c).values().stream().mapToDouble(SweepResult::meanKl).average().orElseThrow();
    }

    static String table() {
        StringBuilder s = new StringBuilder();
        s.append("| encoding | B/weight | rel. weight error | tf top-1 | top-10 overlap | mean KL | KL / Q8_0 |")
                .append(" greedy match |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (SweepConfig c : CONFIGS) {
            List<SweepResult> r = new ArrayList<>(RESULTS.get(c).values());
            s.append(String.format("| %s | %.4f | %.2f%% | %.4f | %.4f | %.2e | %.2f | %.3f |%n", c.label(),
                    r.get(0).bytesPerWeight(), 100 * avg(r, SweepResult::relWeightError), avg(r, SweepResult::top1),
                    avg(r, SweepResult::top10), meanKl(c), meanKl(c) / meanKl(Q8_0), avg(r, SweepResult::greedyMatch)));
        }
        s.append("\nPer fixture:\n\n| fixture | encoding | B/weight | rel. weight error | tf top-1 | top-10 overlap | mean KL | KL / Q8_0 |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (String f : FIXTURES) {
            for (SweepConfig c : List.of(TODAY, DEFAULT, SMALL, Q8_0, INT8_ROW)) {
                SweepResult r = RESULTS.get(c).get(f);
                s.append(String.format("| %s | %s | %.4f | %.3f%% | %.4f | %.4f | %.3e | %.3f |%n", f, c.label(), r.bytesPerWeight(),
                        100 * r.relWeightError(), r.top1(), r.top10(), r.meanKl(), r.meanKl() / RESULTS.get(Q8_0).get(f).meanKl()));
            }
        }
        return s.toString();
    }

    static double avg(List<SweepResult> r, java.util.function.ToDoubleFunction<SweepResult> f) {
        return r.stream().mapToDouble(f).average().orElseThrow();
    }

    @Test
    void theDefaultLosesNoMoreThanQ8_0OnEveryFixture() {
        for (String f : FIXTURES) {
            assertThat(RESULTS.get(DEFAULT).get(f).meanKl()).as("mean KL of the default vs Q8_0's on %s", f)
                    .isLessThanOrEqualTo(RESULTS.get(Q8_0).get(f).meanKl());
        }
        assertThat(RESULTS.get(DEFAULT).values()).allSatisfy(r -> assertThat(r.bytesPerWeight()).isBetween(1.1875, 1.19));
    }

    @Test
    void fittingEachBlocksScaleBeatsTakingItsMax() {
        // Lower weight error on every fixture (the fit never loses a block's squared error), and lower KL on
        // average; per fixture the KL of such close encodings moves either way (tiny-llama-tied: 1.14x).
        for (String f : FIXTURES) {
            assertThat(RESULTS.get(DEFAULT).get(f).relWeightError()).as(f).isLessThan(0.95 * RESULTS.get(TODAY).get(f).relWeightError());
        }
        assertThat(meanKl(DEFAULT)).isLessThan(0.9 * meanKl(TODAY));
        assertThat(RESULTS.get(DEFAULT).get("tiny-stories-1m").meanKl()).as("the trained model")
                .isLessThan(0.8 * RESULTS.get(TODAY).get("tiny-stories-1m").meanKl());
    }

    @Test
    void theDefaultIsWhatTheCodecEncodesWithoutOptions() {
        QinsFormat d = QinsFormat.DEFAULTS;
        assertThat(d.layout()).isEqualTo(QinsLayout.QINS9);
        assertThat(d.grouping()).isEqualTo(Grouping.block(32));
        assertThat(d.policy()).isEqualTo(RangePolicy.CLIPPED);
        assertThat(d.widthOctaves()).isEqualTo(Double.parseDouble(W9));
        assertThat(d.fit()).isEqualTo(ScaleFit.MSE);
    }

    @Test
    void theOneByteLayoutIsSmallerAndLosesMoreThanQ8_0() {
        assertThat(RESULTS.get(SMALL).values()).allSatisfy(r -> assertThat(r.bytesPerWeight()).isBetween(1.0625, 1.065));
        assertThat(meanKl(SMALL)).isGreaterThan(2 * meanKl(Q8_0));
    }

    @Test
    void perBlockRangesBeatOneRangePerTensorAsTheSeedHad() {
        SweepConfig seed = CONFIGS.get(0);
        assertThat(meanKl(DEFAULT)).isLessThan(meanKl(seed) / 3);
    }
}
