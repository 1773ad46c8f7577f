package org.qins.tools.validate;

/** Full-vocabulary logit rows for bit-level parity: rows {@code positions} of one prompt's section. */
public record ExactRows(int promptIndex, String section, int[] positions, float[][] logits) {
}
