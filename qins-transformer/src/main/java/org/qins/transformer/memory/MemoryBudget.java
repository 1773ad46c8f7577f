package org.qins.transformer.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What memory is left: on the JVM heap (max heap less what is in use) and on the machine
 * ({@code MemAvailable} of {@code /proc/meminfo}: free memory plus page cache that can be dropped).
 * {@link #require} refuses a {@link MemoryNeed} that exceeds either, naming the task, its parts and
 * both limits. Where the machine's figure is unknown (no {@code /proc}), only the heap is checked.
 */
public interface MemoryBudget {

    /** Heap bytes that can still be allocated. */
    long heapAvailable();

    /** Machine bytes that can still be allocated (or mapped and read), or {@link Long#MAX_VALUE} when unknown. */
    long systemAvailable();

    /** A description of the limits, for messages. */
    String describe();

    /** Refuses {@code need} when it does not fit, with needed and available bytes; does nothing when it fits. */
    default void require(MemoryNeed need) {
        long heap = need.heapBytes();
        long total = need.totalBytes();
        long heapLeft = heapAvailable();
        long systemLeft = systemAvailable();
        if (total > systemLeft) {
            throw new InsufficientMemoryException(need.task() + " needs " + MemoryNeed.gb(total) + " (" + need.describeParts()
                    + ") but " + MemoryNeed.gb(systemLeft) + " is available (" + describe() + ")", total, systemLeft);
        }
        if (heap > heapLeft) {
            throw new InsufficientMemoryException(need.task() + " needs " + MemoryNeed.gb(heap) + " of JVM heap (" + need.describeHeapParts()
                    + ") but " + MemoryNeed.gb(heapLeft) + " of the heap is free (" + describe() + ")" + heapAdvice(heap), heap, heapLeft);
        }
    }

    /** What to do when the heap is short of {@code heapNeeded} bytes ("" when nothing applies). */
    default String heapAdvice(long heapNeeded) {
        return "";
    }

    /** This JVM and this machine. */
    static MemoryBudget system() {
        return SystemBudget.INSTANCE;
    }

    /** Fixed figures (tests, or a caller that keeps memory for something else). */
    static MemoryBudget fixed(long heapAvailable, long systemAvailable) {
        return new MemoryBudget() {
            @Override
            public long heapAvailable() {
                return heapAvailable;
            }

            @Override
            public long systemAvailable() {
                return systemAvailable;
            }

            @Override
            public String describe() {
                return "fixed budget: heap " + MemoryNeed.gb(heapAvailable) + ", system "
                        + (systemAvailable == Long.MAX_VALUE ? "unlimited" : MemoryNeed.gb(systemAvailable));
            }
        };
    }

    /** The real figures. */
    final class SystemBudget implements MemoryBudget {

        static final SystemBudget INSTANCE = new SystemBudget();

        private SystemBudget() {
        }

        @Override
        public long heapAvailable() {
            Runtime rt = Runtime.getRuntime();
            long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            return free;
        }

        @Override
        public void require(MemoryNeed need) {
            try {
                MemoryBudget.super.require(need);
            } catch (InsufficientMemoryException e) {
                if (need.heapBytes() == 0 || need.totalBytes() > systemAvailable()) {
                    throw e;
                }
                System.gc(); // the heap may hold garbage: count again once it is collected
                MemoryBudget.super.require(need);
            }
        }

        @Override
        public String heapAdvice(long heapNeeded) {
            Runtime rt = Runtime.getRuntime();
            long max = rt.maxMemory() + heapNeeded - heapAvailable();
            return "; give the JVM a larger heap, e.g. QINS_JAVA_OPTS=-Xmx" + (max / (1L << 30) + 1) + "g";
        }

        @Override
        public long systemAvailable() {
            long kb = procField(Path.of("/proc/meminfo"), "MemAvailable:");
            return kb < 0 ? Long.MAX_VALUE : kb * 1024;
        }

        @Override
        public String describe() {
            Runtime rt = Runtime.getRuntime();
            long sys = systemAvailable();
            return "MemAvailable " + (sys == Long.MAX_VALUE ? "unknown" : MemoryNeed.gb(sys)) + "; JVM heap "
                    + MemoryNeed.gb(heapAvailable()) + " free of " + MemoryNeed.gb(rt.maxMemory()) + " max";
        }

        /** A "Name: N kB" field of a /proc file in kB, or -1. */
        static long procField(Path file, String name) {
            try {
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith(name)) {
                        return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
            return -1;
        }
    }
}
