package org.qins.transformer.convert;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.qins.api.StoredWeight;

/**
 * Encodes tensors on up to {@code threads} threads while the caller writes finished ones in the
 * order they were submitted, so the output does not depend on the thread count. At most
 * {@code threads} tensors wait, encoded or encoding, besides the one being written; each owns an
 * arena for its encoded parts, closed as soon as it is written (or, on failure, once its thread has
 * stopped touching it).
 */
final class EncodePipeline implements AutoCloseable {

    /** Encodes one tensor, its parts allocated from {@code memory}. */
    @FunctionalInterface
    interface Job {
        StoredWeight encode(SegmentAllocator memory);
    }

    /** A tensor ready to write: its encoded weight, or null for a tensor copied as it is. */
    record Done(String name, StoredWeight stored) {
    }

    /** Writes a finished tensor (on the submitting thread). */
    @FunctionalInterface
    interface Writer {
        void write(Done done);
    }

    private record Pending(String name, Future<StoredWeight> result, Arena arena, Writer writer) {
    }

    private final ExecutorService pool;
    private final int window;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    EncodePipeline(int threads) {
        this.window = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "qins-convert");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a tensor ({@code job} null: nothing to encode) and writes the oldest ones once more than the window wait. */
    void submit(String name, Job job, Writer writer) {
        Arena arena = job == null ? null : Arena.ofShared();
        Future<StoredWeight> result;
        if (job == null) {
            result = CompletableFuture.completedFuture(null);
        } else if (pool == null) {
            try {
                result = CompletableFuture.completedFuture(job.encode(arena));
            } catch (RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        } else {
            result = pool.submit(() -> job.encode(arena));
        }
        pending.add(new Pending(name, result, arena, writer));
        while (pending.size() > (pool == null ? 0 : window)) {
            writeOldest();
        }
    }

    /** Writes everything still queued. */
    void finish() {
        while (!pending.isEmpty()) {
            writeOldest();
        }
    }

    private void writeOldest() {
        Pending p = pending.poll();
        try {
            p.writer().write(new Done(p.name(), await(p.result())));
        } finally {
            if (p.arena() != null) {
                p.arena().close();
            }
        }
    }

    private static StoredWeight await(Future<StoredWeight> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while encoding", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** After a failure: waits for the threads to leave the queued tensors, frees their memory and stops the threads. */
    @Override
    public void close() {
        for (Pending p : pending) {
            try {
                p.result().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException ignored) {
                // the first failure is the one being reported
            }
            if (p.arena() != null) {
                p.arena().close();
            }
        }
        pending.clear();
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
