package org.qins.transformer.generate;

/**
 * What a generation produced, and how long it took.
 *
 * @param tokens        the new tokens (stop token included when one ended the run)
 * @param stoppedOnEos  true if a stop token ended the run before the limit
 * @param prefillNanos  time to consume the prompt (one batch)
 * @param decodeNanos   time of the one-token steps after the first new token
 */
public record GenerationResult(int[] tokens, boolean stoppedOnEos, long prefillNanos, long decodeNanos) {

    /** Decode throughput: tokens produced by one-token steps per second. */
    public double decodeTokensPerSecond() {
        int steps = tokens.length - 1;
        return steps <= 0 || decodeNanos == 0 ? Double.NaN : steps * 1e9 / decodeNanos;
    }
}
