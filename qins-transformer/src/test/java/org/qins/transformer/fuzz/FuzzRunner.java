package org.qins.transformer.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs a target on its corpus, then on {@code iterations} mutated inputs from a seeded random
 * source (the same seed gives the same inputs). Each execution runs on a worker thread with a
 * timeout. A clear error is the target's exception type with a message naming the input's file;
 * anything else (another exception, an Error such as OutOfMemoryError, a timeout) is a finding,
 * saved under {@code target/fuzz-findings/<target>/} with its stack trace.
 */
final class FuzzRunner {

    /** Mutated executions per target: the CI default, or {@code -Dqins.fuzz.iterations=N} for a long run. */
    static int iterations(int ciDefault) {
        return Integer.getInteger("qins.fuzz.iterations", ciDefault);
    }

    static long seed(long ciDefault) {
        return Long.getLong("qins.fuzz.seed", ciDefault);
    }

    private static final int MAX_FINDINGS = 20;

    private FuzzRunner() {
    }

    /**
     * Runs {@code target} in {@code target/fuzz-work/<name>/}, a directory kept after the run: if a
     * native library aborts the JVM, the input that did it is still there.
     */
    static FuzzReport run(FuzzTarget target, long seed, int iterations, long timeoutMillis) {
        Path dir = Path.of("target", "fuzz-work", target.name()).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return run(target, dir, seed, iterations, timeoutMillis);
    }

    static FuzzReport run(FuzzTarget target, Path dir, long seed, int iterations, long timeoutMillis) {
        Random r = new Random(seed);
        List<FuzzInput> corpus = target.corpus();
        Map<String, Integer> kinds = new TreeMap<>();
        List<String> findings = new ArrayList<>();
        int accepted = 0;
        int refused = 0;
        int executions = 0;
        long slowest = 0;
        int slow = 0;
        long slowMillis = 0;
        long t0 = System.nanoTime();
        ExecutorService worker = newWorker();
        try {
            for (int i = 0; i < corpus.size() + iterations && findings.size() < MAX_FINDINGS; i++) {
                FuzzInput input = i < corpus.size() ? corpus.get(i)
                        : target.mutate(r, corpus.get(r.nextInt(corpus.size())), corpus);
                write(dir, input);
                executions++;
                Future<?> f = worker.submit(() -> {
                    target.run(dir);
                    return null;
                });
                long start = System.nanoTime();
                try {
                    f.get(timeoutMillis, TimeUnit.MILLISECONDS);
                    accepted++;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (target.isClear(c) && c.getMessage() != null && c.getMessage().contains(dir.toString())) {
                        refused++;
                        kinds.merge(kind(c.getMessage(), dir), 1, Integer::sum);
                    } else {
                        findings.add(save(target, findings.size(), input, c));
                    }
                } catch (TimeoutException e) {
                    f.cancel(true);
                    findings.add(save(target, findings.size(), input, new TimeoutException("no result after " + timeoutMillis + " ms")));
                    worker.shutdownNow();
                    worker = newWorker(); // the stuck thread is abandoned
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                if (ms > slowest) {
                    slowest = ms;
                    saveSlowest(target, input, ms);
                }
                if (ms >= 100) {
                    slow++;
                    slowMillis += ms;
                }
            }
        } finally {
            worker.shutdownNow();
        }
        FuzzReport report = new FuzzReport(target.name(), seed, executions, accepted, refused, kinds, findings,
                (System.nanoTime() - t0) / 1e9, slowest, slow, slowMillis);
        System.out.print(report.summary());
        return report;
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz-worker", 16L << 20);
            t.setDaemon(true);
            return t;
        });
    }

    /** The rule a message names: the text after the file, numbers and quoted names blanked. */
    static String kind(String message, Path dir) {
        String m = message.replace(dir.toString(), "DIR");
        m = m.replaceAll("'[^']*'", "'…'").replaceAll("\\[[^\\]]*\\]", "[…]").replaceAll("\\d+", "#");
        return m.length() > 110 ? m.substring(0, 110) + "…" : m;
    }

    private static void write(Path dir, FuzzInput input) {
        try {
            try (Stream<Path> old = Files.list(dir)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
            for (Map.Entry<String, byte[]> e : input.files().entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps the slowest input so far under {@code target/fuzz-findings/<target>/slowest-*}, for a look at what takes time. */
    private static void saveSlowest(FuzzTarget target, FuzzInput input, long ms) {
        Path out = Path.of("target", "fuzz-findings", target.name());
        try {
            Files.createDirectories(out);
            for (Map.Entry<String, byte[]> e : input.files().entrySet()) {
                Files.write(out.resolve("slowest-" + e.getKey()), e.getValue());
            }
            Files.writeString(out.resolve("slowest.txt"), ms + " ms, " + input.origin() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Saves the input and the failure; returns a one-line description. */
    private static String save(FuzzTarget target, int n, FuzzInput input, Throwable failure) {
        Path out = Path.of("target", "fuzz-findings", target.name());
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        try {
            Files.createDirectories(out);
            for (Map.Entry<String, byte[]> e : input.files().entrySet()) {
                Files.write(out.resolve("finding-" + n + "-" + e.getKey()), e.getValue());
            }
            Files.writeString(out.resolve("finding-" + n + ".txt"), input.origin() + "\n" + trace);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String line = failure.toString().replaceAll("\\s+", " ");
        return (line.length() > 300 ? line.substring(0, 300) + "…" : line) + " (input: " + out.toAbsolutePath().resolve("finding-" + n
                + "-*") + ", from " + input.origin() + ")";
    }
}
