package org.qins.fp;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.qins.api.kernel.NativeLibrary;

/**
 * The native float32 product ({@code src/main/c/qins_float_kernels.c}, built into the jar when a C compiler
 * is present), bound once per process; unavailable, with the reason, where it was not built or this CPU
 * lacks AVX-512 (then {@code kernel=auto} runs the Vector API loop).
 */
final class NativeFloatKernels {

    static final String RESOURCE = "/org/qins/fp/native/linux-x86_64/libqinsfloatkernels.so";
    private static final NativeLibrary LIBRARY = NativeLibrary.load(NativeFloatKernels.class, RESOURCE, "fp32", 1, "AVX-512 F and FMA");

    /** w, cols, from, to, x, out. */
    static final MethodHandle DOT_ROWS = LIBRARY.available()
            ? LIBRARY.downcall("fp32_dot_rows", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS))
            : null;

    private NativeFloatKernels() {}

    static boolean available() {
        return LIBRARY.available();
    }

    static String status() {
        return LIBRARY.status();
    }
}
