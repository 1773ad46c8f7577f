package org.qins.codec;

import java.util.ArrayList;
import java.util.List;
import org.qins.api.Parallel;

/** Runs chunks of {@code grain} on fresh threads: exercises the row split and thread-local tiles. */
final class ChunkedParallel implements Parallel {

    @Override
    public int threads() {
        return 3;
    }

    @Override
    public void forRange(int n, int grain, RangeBody body) {
        List<Thread> threads = new ArrayList<>();
        int chunk = Math.max(grain, (n + 2) / 3);
        for (int from = 0; from < n; from += chunk) {
            int f = from;
            int to = Math.min(n, from + chunk);
            threads.add(Thread.ofPlatform().start(() -> body.run(f, to)));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
