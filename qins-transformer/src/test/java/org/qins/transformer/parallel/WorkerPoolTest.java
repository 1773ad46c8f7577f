package org.qins.transformer.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void coversEveryIndexExactlyOnceRoundAfterRound() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int round = 0; round < 20000; round++) {
                int n = 1 + round % 97;
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.forRange(n, 1 + round % 5, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).as("round %d index %d", round, i).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void chunksRespectTheGrain() {
        try (WorkerPool pool = new WorkerPool(2)) {
            pool.forRange(100, 30, (from, to) -> assertThat(to - from).isGreaterThanOrEqualTo(30));
        }
    }

    /**
     * Chunks shrink as the range runs out: none above a quarter of the range (two threads), none below the grain, and
     * the one that ends the range below two grains, so the last thread to finish keeps the other waiting briefly.
     */
    @Test
    void chunksShrinkTowardsTheEnd() {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int round = 0; round < 200; round++) {
                int n = 1024 + round;
                java.util.List<int[]> chunks = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                pool.forRange(n, 4, (from, to) -> chunks.add(new int[] {from, to}));
                assertThat(chunks.stream().mapToInt(c -> c[1] - c[0]).sum()).isEqualTo(n);
                assertThat(chunks).allSatisfy(c -> assertThat(c[1] - c[0]).isBetween(4, n / 4));
                assertThat(chunks).filteredOn(c -> c[1] == n).singleElement().satisfies(c -> assertThat(c[1] - c[0]).isLessThan(8));
            }
        }
    }

    @Test
    void aFailureReachesTheCallerAndThePoolStaysUsable() {
        try (WorkerPool pool = new WorkerPool(2)) {
            assertThatThrownBy(() -> pool.forRange(64, 1, (from, to) -> {
                if (from == 0) {
                    throw new IllegalStateException("boom");
                }
            })).hasMessage("boom");
            AtomicIntegerArray hits = new AtomicIntegerArray(64);
            pool.forRange(64, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 64; i++) {
                assertThat(hits.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void absurdThreadCountsAreRefusedWithTheNumbers() {
        int cpus = Runtime.getRuntime().availableProcessors();
        int limit = WorkerPool.maxThreads(cpus);
        assertThat(limit).isEqualTo(Math.min(256, 4 * cpus));
        assertThat(WorkerPool.maxThreads(1000)).isEqualTo(WorkerPool.MAX_THREADS);
        assertThatThrownBy(() -> new WorkerPool(100_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads 100000 is more than this machine can use: at most " + limit + " (4 x " + cpus
                        + " available processors, and never more than 256)");
        assertThatThrownBy(() -> new WorkerPool(limit + 1)).hasMessageContaining("at most " + limit);
        try (WorkerPool pool = new WorkerPool(Math.min(limit, 8))) {
            assertThat(pool.threads()).isEqualTo(Math.min(limit, 8));
        }
    }
}
