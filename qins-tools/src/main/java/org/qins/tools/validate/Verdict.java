package org.qins.tools.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qins.tools.validate.CompareMetrics;

/**
 * The verdict rule: a candidate matches its reference when teacher-forced top-1 agreement is at
 * least {@value #MIN_TOP1} and the mean KL at most {@value #MAX_MEAN_KL} nats. The greedy match
 * rate is reported, not judged: one near tie changes every later token.
 *
 * @param pass     both thresholds hold
 * @param failures which thresholds failed, in words (empty when passing)
 */
public record Verdict(boolean pass, List<String> failures, String line) {

    public static final double MIN_TOP1 = 0.99;
    public static final double MAX_MEAN_KL = 1e-3;

    public Verdict {
        failures = List.copyOf(failures);
    }

    public static Verdict of(CompareMetrics m) {
        List<String> failed = new ArrayList<>();
        if (!(m.teacherTop1() >= MIN_TOP1)) {
            failed.add(String.format(Locale.ROOT, "teacher-forced top-1 %.3f < %.2f", m.teacherTop1(), MIN_TOP1));
        }
        if (!(m.meanKl() <= MAX_MEAN_KL)) {
            failed.add(String.format(Locale.ROOT, "mean KL %.2e > %.0e", m.meanKl(), MAX_MEAN_KL));
        }
        String numbers = String.format(Locale.ROOT, "greedy %.3f, teacher-forced top-1 %.3f, mean KL %.2e", m.greedyMatchRate(),
                m.teacherTop1(), m.meanKl());
        String line = failed.isEmpty()
                ? "VERDICT: PASS: candidate matches the reference (" + numbers + ")"
                : "VERDICT: FAIL: candidate diverges from the reference: " + String.join("; ", failed) + " (" + numbers + ")";
        return new Verdict(failed.isEmpty(), failed, line);
    }
}
