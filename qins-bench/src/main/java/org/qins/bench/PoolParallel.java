package org.qins.bench;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.ArrayList;
import java.util.List;
import org.qins.api.Parallel;

/** A fixed pool for the benchmarks: splits a range into one chunk per thread on a ForkJoinPool. */
final class PoolParallel implements Parallel, AutoCloseable {

    private final int threads;
    private final ForkJoinPool pool;

    PoolParallel(int threads) {
        this.threads = threads;
        this.pool = new ForkJoinPool(threads);
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void forRange(int n, int grain, RangeBody body) {
        if (threads == 1 || n <= grain) {
            body.run(0, n);
            return;
        }
        int chunk = Math.max(grain, (n + threads - 1) / threads);
        List<ForkJoinTask<?>> tasks = new ArrayList<>();
        for (int from = chunk; from < n; from += chunk) {
            int f = from;
            int to = Math.min(n, from + chunk);
            tasks.add(pool.submit(() -> body.run(f, to)));
        }
        body.run(0, Math.min(n, chunk)); // the caller takes the first chunk
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
