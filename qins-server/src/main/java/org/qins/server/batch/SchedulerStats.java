package org.qins.server.batch;

/**
 * A snapshot of the scheduler.
 *
 * @param running          sequences in the batch now
 * @param waiting          requests queued for a slot
 * @param steps            batched forward passes so far
 * @param generatedTokens  tokens sampled so far (all requests)
 * @param promptTokens     prompt tokens prefilled so far
 * @param kvResidentBytes  KV cache bytes the running sequences hold now
 * @param kvPeakBytes      the largest {@code kvResidentBytes} seen
 * @param largestStepRows  the most tokens one forward pass took
 */
public record SchedulerStats(int running, int waiting, long steps, long generatedTokens, long promptTokens, long kvResidentBytes,
        long kvPeakBytes, int largestStepRows) {
}
