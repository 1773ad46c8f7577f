package org.qins.tools.report;

import java.util.List;

/**
 * What encoding one group of weights (a decoder layer, the LM head, or all of them) costs: the
 * float model with only those weights taken from the converted checkpoint, scored against the
 * float model.
 *
 * @param group         the layer index ({@code "3"}), a weight's name, or {@code "all"}
 * @param tensors       the weights taken from the converted checkpoint
 * @param weights       how many weights they hold
 * @param relativeError ||decoded - source|| / ||source|| over them together
 * @param score         the mixed model against the float model
 */
public record LayerContribution(String group, List<String> tensors, long weights, double relativeError,
        TeacherForcedScore score) {

    public LayerContribution {
        tensors = List.copyOf(tensors);
    }
}
