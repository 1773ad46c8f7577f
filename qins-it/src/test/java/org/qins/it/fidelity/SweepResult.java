package org.qins.it.fidelity;

/**
 * Scores of one encoding on one fixture, against the float32 reference of Hugging Face.
 *
 * @param bytesPerWeight   stored bytes per encoded weight (codes, signs, ranges)
 * @param relWeightError   ||w' - w|| / ||w|| over all encoded weights
 * @param greedyMatch      greedy match rate over the free-running steps
 * @param top1             teacher-forced top-1 agreement
 * @param top10            teacher-forced top-10 overlap
 * @param meanKl           mean KL(ref || cand) over teacher-forced positions (compare.py estimate)
 */
record SweepResult(double bytesPerWeight, double relWeightError, double greedyMatch, double top1, double top10, double meanKl) {
}
