package org.qins.tools.validate;

/**
 * Per-prompt comparison numbers.
 *
 * @param firstDivergence first greedy step whose token differs, {@code nSteps} if none
 * @param refMarginAtDivergence the reference's top1 - top2 logit at that step (NaN if none or unknown)
 */
public record PromptMetrics(int promptLength, double greedyMatchRate, int firstDivergence, double refMarginAtDivergence,
        double teacherTop1, double teacherMeanKl, double teacherMaxKl) {
}
