package org.qins.transformer.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.qins.api.Parallel;

/**
 * A fixed pool of {@code threads - 1} daemon workers plus the calling thread. One
 * {@link #forRange} runs at a time; the caller takes chunks too, so nothing is handed off when
 * the work is small. Dispatch allocates nothing: workers wait on a generation counter and claim
 * chunks from a ticket that carries the round number in its high bits and the next index in its low
 * bits, so a late worker can never claim a chunk of another round. Chunks shrink as the range runs
 * out (each takes a {@code 2 x threads}-th of what is left, at least the grain): the first are large,
 * the last small, so a thread that started late or ran slow leaves the others a short wait at the
 * end instead of up to one of eight equal chunks (measured in qins-bench/RESULTS.md, round 9: float32
 * products 6 to 9 % faster, qins9 up to 6 %). A nested or concurrent call runs on the calling thread.
 */
public final class WorkerPool implements Parallel, AutoCloseable {

    /** Spins before parking: short, because the cores are often shared. */
    private static final int SPIN = 2_000;

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    /** round << 32 | the next index to claim. */
    private final AtomicLong ticket = new AtomicLong();
    /** Indexes of the current round not yet run. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;
    private RangeBody body;
    private int n;
    private int grain;

    /** Most threads a pool takes: beyond this a count is a typo, not a tuning choice. */
    public static final int MAX_THREADS = 256;

    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        int limit = maxThreads(cpus);
        if (threads > limit) {
            throw new IllegalArgumentException("threads " + threads + " is more than this machine can use: at most " + limit
                    + " (4 x " + cpus + " available processors, and never more than " + MAX_THREADS + ")");
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("qins-worker-" + (i + 1)).unstarted(this::work);
            workers[i].start();
        }
    }

    /** The most threads a pool takes on a machine with {@code cpus} available processors. */
    public static int maxThreads(int cpus) {
        return (int) Math.min(MAX_THREADS, 4L * cpus);
    }

    /** A pool with one thread per available processor (at most {@value #MAX_THREADS}). */
    public static WorkerPool ofAvailableProcessors() {
        return new WorkerPool(Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        if (n < 2 * g || workers.length == 0 || closed || !lock.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            if (isWorker()) {
                body.run(0, n);
                return;
            }
            long round = generation + 1;
            this.body = body;
            this.n = n;
            this.grain = g;
            this.failure = null;
            this.caller = Thread.currentThread();
            pending.set(n);
            ticket.set(round << 32); // volatile write publishes the fields above
            generation = round;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            runChunks();
            int spins = 0;
            while (pending.get() > 0) {
                if (++spins < SPIN) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 50_000);
                }
            }
            // Close the round before the next one writes its fields: a worker that read this round's
            // ticket and then the next round's chunk count would otherwise still win its CAS here.
            ticket.set((round << 32) | Integer.MAX_VALUE);
            this.body = null;
            Throwable f = failure;
            if (f != null) {
                if (f instanceof RuntimeException re) {
                    throw re;
                }
                if (f instanceof Error er) {
                    throw er;
                }
                throw new IllegalStateException(f);
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean isWorker() {
        Thread t = Thread.currentThread();
        for (Thread w : workers) {
            if (w == t) {
                return true;
            }
        }
        return false;
    }

    /** Claims and runs chunks of the current round until none is left. */
    private void runChunks() {
        while (true) {
            long t = ticket.get();
            int start = (int) t;
            int size = n;
            if (start >= size) {
                return;
            }
            int left = size - start;
            int g = grain;
            int take = Math.max(g, left / (2 * threads));
            if (left - take < g) {
                take = left; // no chunk below the grain at the end
            }
            if (!ticket.compareAndSet(t, t + take)) {
                continue; // another thread claimed first, or the round changed: read the ticket again
            }
            // The claimed chunk keeps its round open, so body and n cannot change under us.
            try {
                body.run(start, start + take);
            } catch (Throwable e) {
                failure = e;
            } finally {
                if (pending.addAndGet(-take) == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    private void work() {
        long seen = 0;
        while (!closed) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < SPIN) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            runChunks();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
