package org.qins.transformer.checkpoint;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Drops the pages of a range of a read-only file mapping from this process ({@code madvise(2)} with
 * {@code MADV_DONTNEED}, through FFM): they leave the resident set at once and are read again from
 * the page cache (or the disk) if touched later. A read-only mapping of a file holds no data of
 * its own, so nothing is lost. A converter streaming a checkpoint through its mapping would
 * otherwise see every page it read counted in its RSS until the file is unmapped. Where madvise
 * cannot be called (another OS, native access denied) this does nothing: the pages stay mapped and
 * reclaimable, as before.
 */
final class PageRelease {

    private static final int MADV_DONTNEED = 4;
    private static final MethodHandle MADVISE;
    private static final long PAGE;

    static {
        MethodHandle madvise = null;
        long page = 4096;
        try {
            Linker linker = Linker.nativeLinker();
            var lookup = linker.defaultLookup();
            if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                madvise = lookup.find("madvise").map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT))).orElse(null);
                MethodHandle getpagesize = lookup.find("getpagesize").map(a -> linker.downcallHandle(a,
                        FunctionDescriptor.of(ValueLayout.JAVA_INT))).orElse(null);
                if (getpagesize != null) {
                    page = (int) getpagesize.invokeExact();
                }
            }
        } catch (Throwable e) { // IllegalCallerException without native access, or no such symbol
            madvise = null;
        }
        MADVISE = madvise;
        PAGE = page;
    }

    private PageRelease() {
    }

    /** True where pages can be released. */
    static boolean available() {
        return MADVISE != null;
    }

    /**
     * Releases the whole pages of {@code mapping} that {@code [offset, offset + length)} touches. A page
     * shared with a neighbouring range is released too: it is read back on its next use.
     */
    static void release(MemorySegment mapping, long offset, long length) {
        if (MADVISE == null || length <= 0 || mapping.address() == 0) {
            return;
        }
        long base = mapping.address();
        long start = Math.max(base, (base + offset) / PAGE * PAGE);
        long end = Math.min(base + mapping.byteSize(), -Math.floorDiv(-(base + offset + length), PAGE) * PAGE);
        if (end <= start) {
            return;
        }
        try {
            int rc = (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), end - start, MADV_DONTNEED);
            if (rc != 0) {
                System.getLogger("org.qins.checkpoint").log(System.Logger.Level.DEBUG, "madvise returned " + rc);
            }
        } catch (Throwable e) {
            throw new IllegalStateException("madvise failed: " + e, e);
        }
    }
}
