package org.qins.tools.validate;

import java.util.List;

/**
 * One prompt of an {@code llm-ref/1} file.
 *
 * @param prompt         the prompt ids (BOS included)
 * @param greedyTokens   the free-running greedy continuation
 * @param greedySteps    logits of each greedy step (may be empty)
 * @param teacherTokens  prompt + the reference's greedy tokens
 * @param teacherRows    logits after each teacher-forced token
 */
public record PromptRecord(int[] prompt, int[] greedyTokens, List<LogitRow> greedySteps, int[] teacherTokens,
        List<LogitRow> teacherRows) {

    public PromptRecord {
        greedySteps = List.copyOf(greedySteps);
        teacherRows = List.copyOf(teacherRows);
    }
}
