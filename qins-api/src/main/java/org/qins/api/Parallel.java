package org.qins.api;

/**
 * Splits index ranges across a fixed set of worker threads. Providers receive one through
 * {@link LayerContext} so that their kernels share the engine's pool.
 */
public interface Parallel {

    /** A body that handles indices {@code [from, to)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    /** Runs everything on the calling thread. */
    Parallel SEQUENTIAL = new Parallel() {
        @Override
        public int threads() {
            return 1;
        }

        @Override
        public void forRange(int n, int grain, RangeBody body) {
            if (n > 0) {
                body.run(0, n);
            }
        }
    };

    /** Number of worker threads (1 = sequential). */
    int threads();

    /**
     * Calls {@code body} on disjoint chunks covering {@code [0, n)}, each at least {@code grain}
     * long (but the last), and returns when all are done.
     */
    void forRange(int n, int grain, RangeBody body);
}
