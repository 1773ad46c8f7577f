package org.qins.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory of this JVM: heap used after a GC, and the process's resident set (Linux). */
public final class ProcessMemory {

    private ProcessMemory() {
    }

    /**
     * {@code VmRSS} of {@code /proc/self/status} in bytes, or -1 where there is none. Pages of a
     * memory-mapped checkpoint that were touched count in it.
     */
    public static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] p = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(p[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Heap used after {@code System.gc()} (a few rounds, so that the figure settles). */
    public static long heapUsedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
