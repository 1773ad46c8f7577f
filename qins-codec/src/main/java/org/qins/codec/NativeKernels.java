package org.qins.codec;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.qins.api.kernel.NativeLibrary;

/**
 * The native qins9 and qins8 kernels ({@code src/main/c/qins_kernels.c}, built into the jar by the Maven build when a
 * C compiler is present), bound once per process. {@link #available()} is false, with a {@link #status()}
 * that says why, when the library was not built, is not for this platform or this CPU lacks AVX-512;
 * {@code kernel=auto} then runs the Java kernels, and {@code kernel=native} is refused with that reason.
 */
final class NativeKernels {

    /** Where the build puts the library among the classes. */
    static final String RESOURCE = "/org/qins/codec/native/linux-x86_64/libqinskernels.so";
    private static final NativeLibrary LIBRARY = NativeLibrary.load(NativeKernels.class, RESOURCE, "qins", 6,
            "AVX-512 F/BW/VL, FMA and F16C");

    private static final ValueLayout A = ValueLayout.ADDRESS;
    private static final ValueLayout I = ValueLayout.JAVA_INT;
    private static final ValueLayout J = ValueLayout.JAVA_LONG;

    /** x, cols, batch, xp. */
    static final MethodHandle PREPARE = bind("qins_prepare", FunctionDescriptor.ofVoid(A, I, I, A));
    /** codes, signs (NULL: the sign in each code's bit 7, qins8), scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, from, to, xp, out. */
    static final MethodHandle DOT_ROWS = bind("qins_dot_rows", FunctionDescriptor.ofVoid(A, A, A, I, J, J, A, A, I, I, I, A, A));
    /** codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, from, to, batch, xp, out, outStride. */
    static final MethodHandle DOT_ROWS_BATCH = bind("qins_dot_rows_batch",
            FunctionDescriptor.ofVoid(A, A, A, I, J, J, A, A, I, I, I, I, A, A, I));
    /** codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, row0, count, dst. */
    static final MethodHandle DECODE_ROWS = bind("qins_decode_rows", FunctionDescriptor.ofVoid(A, A, A, I, J, J, A, A, I, I, I, A));

    /** x, cols, batch, xp. */
    static final MethodHandle PACK = bind("qins_pack", FunctionDescriptor.ofVoid(A, I, I, A));
    /** codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, from, to, batch, xp, tile, out, outStride. */
    static final MethodHandle MATMUL = bind("qins_matmul", FunctionDescriptor.ofVoid(A, A, A, I, J, J, A, A, I, I, I, I, A, A, A, I));
    /** x, cols, xb (bf16, zero-padded to whole groups of 32). */
    static final MethodHandle PREPARE_BF16 = bind("qins_prepare_bf16", FunctionDescriptor.ofVoid(A, I, A));
    /** codes, signs, scales, cols, signStride, rangeRowStride, bf16Table, hiShift, from, to, xb, out. */
    static final MethodHandle DOT_ROWS_BF16 = bind("qins_dot_rows_bf16", FunctionDescriptor.ofVoid(A, A, A, I, J, J, A, I, I, I, A, A));
    /** Whether this CPU runs the bf16 product (AVX-512 BF16 and VBMI besides the set the library checks at load). */
    private static final boolean BF16 = LIBRARY.available() && bf16Supported();

    /** Rows per tile of {@link #MATMUL} (MR in qins_kernels.c). */
    static final int TILE_ROWS = 12;
    /** Batch lanes per packed panel of {@link #PACK} (PANEL in qins_kernels.c). */
    static final int PANEL = 64;

    private NativeKernels() {}

    private static MethodHandle bind(String name, FunctionDescriptor d) {
        return LIBRARY.available() ? LIBRARY.downcall(name, d) : null;
    }

    private static boolean bf16Supported() {
        try {
            return (int) LIBRARY.downcall("qins_bf16_supported", FunctionDescriptor.of(I)).invokeExact() == 1;
        } catch (Throwable e) {
            throw NativeLibrary.unchecked(e);
        }
    }

    /** True when the bf16 product runs on this machine. */
    static boolean bf16Available() {
        return BF16;
    }

    /** {@code loaded (...)} and whether the CPU has the bf16 product's instructions, or {@code unavailable: why}. */
    static String bf16Status() {
        if (!LIBRARY.available()) {
            return LIBRARY.status();
        }
        return BF16 ? "available (AVX-512 BF16 and VBMI)" : "unavailable: this CPU lacks AVX-512 BF16 or VBMI";
    }

    /**
     * For tests: {@code false} makes the exact one-vector product take its masked loop where the CPU would take the
     * mask-free one (it has VBMI), {@code true} restores the default. Returns whether the mask-free loop is now in use.
     * Both compute the same floats; this lets a machine with VBMI test the masked loop too.
     */
    static boolean useMaskFree(boolean on) {
        try {
            return (int) LIBRARY.downcall("qins_use_mask_free", FunctionDescriptor.of(I, I)).invokeExact(on ? 1 : 0) == 1;
        } catch (Throwable e) {
            throw NativeLibrary.unchecked(e);
        }
    }

    /** True when the native kernels run on this machine. */
    static boolean available() {
        return LIBRARY.available();
    }

    /** {@code loaded (...)} or {@code unavailable: why}. */
    static String status() {
        return LIBRARY.status();
    }
}
