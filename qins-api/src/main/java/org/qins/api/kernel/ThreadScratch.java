package org.qins.api.kernel;

/**
 * A per-thread float buffer that grows on demand and is reused across calls, so hot loops that run
 * on the pool's threads allocate nothing. Each use keeps its own instance: buffers of different
 * instances are never shared, so nested uses on one thread do not overwrite each other.
 */
public final class ThreadScratch {

    private final ThreadLocal<float[]> buffer = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's buffer, at least {@code n} floats long; its contents are whatever the last use left. */
    public float[] floats(int n) {
        float[] b = buffer.get();
        if (b.length < n) {
            // Grow geometrically: a caller whose size creeps up (attention scores per position) reallocates rarely.
            b = new float[(int) Math.max(n, Math.min(2L * b.length, Integer.MAX_VALUE - 8))];
            buffer.set(b);
        }
        return b;
    }
}
