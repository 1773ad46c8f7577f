package org.qins.tools.validate;

import java.util.List;

/**
 * The numbers of {@code compare.py}, computed the same way.
 *
 * @param exactMaxAbsLogitDiff max |logit diff| over the exact rows; NaN when either side lacks them
 * @param teacherPositions     teacher-forced positions scored (prompt and generated tokens of every prompt)
 */
public record CompareMetrics(List<PromptMetrics> prompts, double greedyMatchRate, double teacherTop1, double teacherTop10Overlap,
        double meanKl, double maxKl, double refMeanTailMass, double teacherMaxLogitDiffTop10, double teacherMaxLseDiff,
        double greedyMaxLogitDiffBeforeDivergence, double exactMaxAbsLogitDiff, long teacherPositions) {

    public CompareMetrics {
        prompts = List.copyOf(prompts);
    }
}
