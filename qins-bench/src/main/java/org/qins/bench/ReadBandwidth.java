package org.qins.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.XOR;

/**
 * The machine's read memory bandwidth, for the decode roofline: {@code threads} threads each sum
 * their own slice of an off-heap buffer far larger than the caches (the way a decode step streams
 * the weights: sequential reads, nothing written). Prints the best and the median of the passes in
 * GB/s (10^9 bytes) for each thread count.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp qins-bench/target/benchmarks.jar
 * org.qins.bench.ReadBandwidth [MiB=1024] [passes=12] [threads=1,2] [FILE]}: with FILE, its first MiB
 * are memory-mapped and read instead (page-cache pages, as the engine maps a checkpoint; the file must
 * already be cached for a memory figure).
 */
public final class ReadBandwidth {

    private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private ReadBandwidth() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        int[] threadCounts = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 2};
        long bytes = mib << 20;
        String file = args.length > 3 ? args[3] : null;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf;
            if (file != null) {
                try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.READ)) {
                    bytes = Math.min(bytes, ch.size()) & -4096L;
                    buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
                }
                sum(buf, 0, bytes); // fault the pages in
            } else {
                buf = arena.allocate(bytes, 4096);
                for (long o = 0; o < bytes; o += 8) { // touch and fill every page
                    buf.set(ValueLayout.JAVA_LONG_UNALIGNED, o, o * 0x9E3779B97F4A7C15L);
                }
            }
            for (int threads : threadCounts) {
                double[] gbs = measure(buf, threads, passes);
                double[] sorted = gbs.clone();
                Arrays.sort(sorted);
                System.out.printf(Locale.ROOT, "read bandwidth, %d thread%s, %d MiB%s: best %.1f GB/s, median %.1f GB/s%n",
                        threads, threads == 1 ? "" : "s", bytes >> 20, file == null ? "" : " mapped from " + file, sorted[sorted.length - 1], sorted[sorted.length / 2]);
            }
        }
    }

    /** GB/s of each pass (the first, which warms the JIT, is left out). */
    static double[] measure(MemorySegment buf, int threads, int passes) throws Exception {
        long slice = (buf.byteSize() / threads) & -(long) S.vectorByteSize() * 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        CyclicBarrier end = new CyclicBarrier(threads);
        double[] out = new double[passes];
        long[] sink = new long[threads];
        Thread[] ts = new Thread[threads];
        long[] t0 = new long[1];
        for (int k = 0; k < threads; k++) {
            int id = k;
            ts[k] = Thread.ofPlatform().unstarted(() -> {
                try {
                    for (int p = -1; p < passes; p++) {
                        start.await();
                        if (id == 0) {
                            t0[0] = System.nanoTime();
                        }
                        sink[id] += sum(buf, id * slice, slice);
                        end.await();
                        if (id == 0 && p >= 0) {
                            out[p] = threads * slice / 1e9 / ((System.nanoTime() - t0[0]) / 1e9);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ts[k].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        if (Arrays.stream(sink).sum() == 42) {
            System.out.println(); // keeps the sums alive
        }
        return out;
    }

    /** XOR of the longs in {@code [off, off + len)}, four vectors per step. */
    static long sum(MemorySegment buf, long off, long len) {
        int vb = S.vectorByteSize();
        LongVector a0 = LongVector.zero(S);
        LongVector a1 = LongVector.zero(S);
        LongVector a2 = LongVector.zero(S);
        LongVector a3 = LongVector.zero(S);
        for (long o = off, e = off + len; o < e; o += 4L * vb) {
            a0 = a0.lanewise(XOR, LongVector.fromMemorySegment(S, buf, o, LE));
            a1 = a1.lanewise(XOR, LongVector.fromMemorySegment(S, buf, o + vb, LE));
            a2 = a2.lanewise(XOR, LongVector.fromMemorySegment(S, buf, o + 2L * vb, LE));
            a3 = a3.lanewise(XOR, LongVector.fromMemorySegment(S, buf, o + 3L * vb, LE));
        }
        return a0.lanewise(XOR, a1)
                .lanewise(XOR, a2.lanewise(XOR, a3))
                .reduceLanes(XOR);
    }
}
