package org.qins.server.batch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.model.BatchStep;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.Sequence;
import org.qins.transformer.tokenizer.Tokenizer;

/**
 * Continuous batching: one thread owns a {@link BatchStep} and advances every running sequence
 * together, one forward pass per step (each decoding sequence feeds its last token; sequences still
 * reading their prompt feed a chunk of it, at most {@code prefillChunk} prompt tokens per step over
 * all of them). Requests wait in a bounded queue and join between steps while fewer than
 * {@code maxSequences} run; a finished or cancelled request leaves before the next step, dropping
 * its sequence and so its KV cache.
 */
public final class BatchScheduler implements AutoCloseable {

    /**
     * @param maxSequences  sequences advanced together at most
     * @param maxContext    KV positions one sequence may hold (prompt + generated)
     * @param maxQueue      requests that may wait for a slot
     * @param prefillChunk  prompt tokens fed per step over all prefilling sequences
     */
    public record Limits(int maxSequences, int maxContext, int maxQueue, int prefillChunk) {
        public Limits {
            if (maxSequences < 1 || maxContext < 2 || maxQueue < 0 || prefillChunk < 1) {
                throw new IllegalArgumentException("bad scheduler limits: " + maxSequences + " sequences, context " + maxContext
                        + ", queue " + maxQueue + ", prefill chunk " + prefillChunk);
            }
        }
    }

    private static final System.Logger LOG = System.getLogger(BatchScheduler.class.getName());
    private static final String SHUTTING_DOWN = "the server is shutting down";

    private final CausalLm model;
    private final KvCacheProvider kv;
    private final Tokenizer tokenizer;
    private final Limits limits;
    private final BatchStep batch;
    private final int vocab;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Job> waiting = new ArrayDeque<>();
    private final List<Job> running = new ArrayList<>();
    private final Thread thread;
    private boolean closing;
    private long deadline;
    private volatile int runningCount;
    private volatile long steps;
    private volatile long generatedTokens;
    private volatile long promptTokens;
    private volatile long kvResident;
    private volatile long kvPeak;
    private volatile int largestStep;

    public BatchScheduler(CausalLm model, KvCacheProvider kv, Tokenizer tokenizer, Limits limits) {
        this.model = model;
        this.kv = kv;
        this.tokenizer = tokenizer;
        this.limits = limits;
        this.batch = new BatchStep(model);
        this.vocab = model.config().vocabSize();
        this.thread = Thread.ofPlatform().name("qins-scheduler").daemon(true).unstarted(this::loop);
        thread.start();
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Queues {@code request}; {@code listener} hears its text and its end.
     *
     * @throws QueueFullException when {@code maxQueue} requests already wait, or the scheduler is shutting down
     */
    public Submission submit(GenerationRequest request, JobListener listener) throws QueueFullException {
        if (request.positions() > limits.maxContext()) {
            throw new IllegalArgumentException(request.prompt().length + " prompt tokens + " + request.maxTokens()
                    + " to generate exceed the context of " + limits.maxContext());
        }
        for (int id : request.prompt()) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + vocab + ")");
            }
        }
        Job[] self = new Job[1];
        Job job = new Job(request, listener, tokenizer, () -> dequeue(self[0]));
        self[0] = job;
        lock.lock();
        try {
            if (closing) {
                throw new QueueFullException(SHUTTING_DOWN, true);
            }
            int free = Math.max(0, limits.maxSequences() - runningCount);
            if (waiting.size() >= limits.maxQueue() + free) {
                throw new QueueFullException("the server is busy: " + runningCount + " requests running and " + waiting.size()
                        + " waiting (the queue holds " + limits.maxQueue() + ")", false);
            }
            waiting.addLast(job);
            work.signalAll();
        } finally {
            lock.unlock();
        }
        return job;
    }

    /** A cancelled request leaves the queue at once (a running one is dropped by the scheduler thread). */
    private void dequeue(Job job) {
        lock.lock();
        try {
            waiting.remove(job);
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public SchedulerStats stats() {
        int queued;
        lock.lock();
        try {
            queued = waiting.size();
        } finally {
            lock.unlock();
        }
        return new SchedulerStats(runningCount, queued, steps, generatedTokens, promptTokens, kvResident, kvPeak, largestStep);
    }

    /**
     * Refuses new requests, ends the waiting ones with an error, lets the running ones finish for up
     * to {@code grace}, then ends them with an error; returns when the scheduler thread has stopped.
     */
    public void shutdown(Duration grace) throws InterruptedException {
        List<Job> dropped;
        lock.lock();
        try {
            if (!closing) {
                closing = true;
                deadline = System.nanoTime() + grace.toNanos();
            }
            dropped = new ArrayList<>(waiting);
            waiting.clear();
            work.signalAll();
        } finally {
            lock.unlock();
        }
        for (Job j : dropped) {
            error(j, SHUTTING_DOWN);
        }
        thread.join();
    }

    /** {@link #shutdown} without grace. */
    @Override
    public void close() {
        try {
            shutdown(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (true) {
            try {
                if (!admitOrWait()) {
                    return;
                }
                if (!running.isEmpty()) {
                    step();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // A failing step must not take the server down: its requests end with the error.
                LOG.log(System.Logger.Level.ERROR, "batched step failed", e);
                String why = "generation failed: " + e;
                for (Job j : running) {
                    error(j, why);
                }
                running.clear();
                publishRunning();
            }
        }
    }

    /** Drops cancelled requests, admits waiting ones into free slots, sleeps while idle; false when shut down. */
    private boolean admitOrWait() throws InterruptedException {
        running.removeIf(j -> {
            if (j.cancelled()) {
                j.sequence = null;
                return true;
            }
            return false;
        });
        lock.lock();
        try {
            while (true) {
                if (closing && (running.isEmpty() || System.nanoTime() - deadline >= 0)) {
                    for (Job j : running) {
                        error(j, SHUTTING_DOWN);
                    }
                    running.clear();
                    publishRunning();
                    return false;
                }
                while (running.size() < limits.maxSequences() && !waiting.isEmpty()) {
                    Job j = waiting.pollFirst();
                    if (!j.cancelled()) {
                        j.sequence = model.newSequence(kv, j.request.positions());
                        running.add(j);
                    }
                }
                publishRunning();
                if (!running.isEmpty()) {
                    return true;
                }
                if (closing) {
                    work.await(10, TimeUnit.MILLISECONDS);
                } else {
                    work.await();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** One forward pass over every running sequence, then one sampled token for each that has read its whole prompt. */
    private void step() {
        List<Sequence> seqs = new ArrayList<>(running.size());
        List<int[]> tokens = new ArrayList<>(running.size());
        List<Job> jobs = new ArrayList<>(running.size());
        int budget = limits.prefillChunk();
        int rows = 0;
        long prompt = 0;
        for (Job j : running) {
            int[] t;
            if (j.prefilling()) {
                if (budget == 0) {
                    continue;
                }
                int n = Math.min(budget, j.request.prompt().length - j.fed);
                t = Arrays.copyOfRange(j.request.prompt(), j.fed, j.fed + n);
                budget -= n;
                prompt += n;
            } else {
                t = new int[] {j.lastToken};
            }
            seqs.add(j.sequence);
            tokens.add(t);
            jobs.add(j);
            rows += t.length;
        }
        batch.run(seqs, tokens);
        steps++;
        promptTokens += prompt;
        largestStep = Math.max(largestStep, rows);
        long before = 0;
        for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get(i);
            before += j.sequence.cache().residentBytes();
            if (j.prefilling()) {
                j.fed += tokens.get(i).length;
                if (j.prefilling()) {
                    continue;
                }
            }
            advance(j);
        }
        kvPeak = Math.max(kvPeak, before);
        running.removeIf(j -> {
            if (j.ended || j.cancelled()) {
                j.sequence = null;
                return true;
            }
            return false;
        });
        publishRunning();
    }

    /** Samples the job's next token from its logits and tells the listener what it means. */
    private void advance(Job j) {
        if (j.cancelled()) {
            return;
        }
        int token = j.sampler.sample(j.sequence.logits(), vocab);
        j.generated++;
        generatedTokens++;
        if (j.isStopToken(token)) {
            text(j, remainingText(j));
            finish(j, FinishReason.STOP);
            return;
        }
        text(j, j.stops.push(j.decoder.push(token)));
        if (j.stops.stopped()) {
            finish(j, FinishReason.STOP);
        } else if (j.generated >= j.request.maxTokens()) {
            text(j, remainingText(j));
            finish(j, j.stops.stopped() ? FinishReason.STOP : FinishReason.LENGTH);
        } else {
            j.lastToken = token;
        }
    }

    /** At the end of an answer: characters the decoder held back and a partial stop string that never completed. */
    private static String remainingText(Job j) {
        String t = j.stops.push(j.decoder.flush());
        return j.stops.stopped() ? t : t + j.stops.flush();
    }

    /** Publishes the running count and the KV bytes the running sequences hold (for stats, read by other threads). */
    private void publishRunning() {
        long resident = 0;
        for (Job j : running) {
            resident += j.sequence.cache().residentBytes();
        }
        kvResident = resident;
        runningCount = running.size();
    }

    private static void text(Job j, String text) {
        if (!text.isEmpty()) {
            try {
                j.listener.onText(text);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "listener failed", e);
                j.cancel();
            }
        }
    }

    private static void finish(Job j, FinishReason reason) {
        j.ended = true;
        try {
            j.listener.onFinish(reason, j.request.prompt().length, j.generated);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener failed", e);
        }
    }

    private static void error(Job j, String message) {
        j.ended = true;
        if (j.cancelled()) {
            return;
        }
        try {
            j.listener.onError(message);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener failed", e);
        }
    }
}
