package org.qins.tools.report;

import java.nio.file.Path;
import java.util.List;

/**
 * What a layout report runs the models on.
 *
 * @param referenceFile an llm-ref/1 file whose prompts and teacher-forced tokens are used (the
 *                      float model's own logits on them are the reference), or null
 * @param prompts       prompts when there is no file; the float model continues each greedily
 * @param steps         greedy tokens per prompt when there is no file
 * @param layerKl       whether to measure each layer's KL contribution (one model run per layer)
 */
public record ReportSettings(Path referenceFile, List<int[]> prompts, int steps, boolean layerKl) {

    public ReportSettings {
        prompts = prompts == null ? List.of() : List.copyOf(prompts);
        if (referenceFile == null && layerKl && (prompts.isEmpty() || steps < 1)) {
            throw new IllegalArgumentException("without a reference file the report needs prompts and steps >= 1");
        }
    }

    /** The prompts and teacher-forced tokens of an llm-ref/1 file. */
    public static ReportSettings ofReference(Path file) {
        return new ReportSettings(file, List.of(), 0, true);
    }

    /** {@code prompts}, each continued by the float model for {@code steps} greedy tokens. */
    public static ReportSettings ofPrompts(List<int[]> prompts, int steps) {
        return new ReportSettings(null, prompts, steps, true);
    }

    /** The same without the per-layer KL (weights only). */
    public ReportSettings withoutLayerKl() {
        return new ReportSettings(referenceFile, prompts, steps, false);
    }
}
