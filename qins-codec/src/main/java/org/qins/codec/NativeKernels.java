package org.qins.codec;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The native kernel library ({@code src/main/c/qins_kernels.c}, built into the jar by the Maven build
 * when a C compiler is present), bound through the FFM API once per process. {@link #available()}
 * is false, with a {@link #status()} that says why, when the library was not built, is not for this
 * platform or this CPU lacks AVX-512; {@code kernel=auto} then runs the Java kernels, and
 * {@code kernel=native} is refused with that reason.
 *
 * <p>Downcalls are {@code critical}: the kernels run briefly, never call back, and read the Java
 * arrays (input, output, scratch) in place.
 */
final class NativeKernels {

    /** Where the build puts the library among the classes. */
    static final String RESOURCE = "/org/qins/codec/native/linux-x86_64/libqinskernels.so";
    private static final int VERSION = 2;
    private static final Logger LOG = Logger.getLogger(NativeKernels.class.getName());

    private static final ValueLayout A = ValueLayout.ADDRESS;
    private static final ValueLayout I = ValueLayout.JAVA_INT;
    private static final ValueLayout J = ValueLayout.JAVA_LONG;

    /** x, cols, batch, xp. */
    static final MethodHandle PREPARE;
    /** codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, from, to, xp, out. */
    static final MethodHandle DOT_ROWS;
    /** codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, from, to, batch, xp, out, outStride. */
    static final MethodHandle DOT_ROWS_BATCH;
    /** codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, row0, count, dst. */
    static final MethodHandle DECODE_ROWS;
    private static final String STATUS;

    static {
        MethodHandle prepare = null;
        MethodHandle dot = null;
        MethodHandle batch = null;
        MethodHandle decode = null;
        String status;
        try {
            SymbolLookup lib = load();
            Linker linker = Linker.nativeLinker();
            int version = (int) linker.downcallHandle(find(lib, "qins_native_version"), FunctionDescriptor.of(I)).invokeExact();
            if (version != VERSION) {
                throw new IllegalStateException("library version " + version + ", this build needs " + VERSION);
            }
            int supported = (int) linker.downcallHandle(find(lib, "qins_native_supported"), FunctionDescriptor.of(I)).invokeExact();
            if (supported == 0) {
                throw new IllegalStateException("this CPU lacks AVX-512 F/BW/VL, FMA or F16C");
            }
            Linker.Option critical = Linker.Option.critical(true);
            prepare = linker.downcallHandle(find(lib, "qins9_prepare"), FunctionDescriptor.ofVoid(A, I, I, A), critical);
            dot = linker.downcallHandle(find(lib, "qins9_dot_rows"),
                    FunctionDescriptor.ofVoid(A, A, A, I, J, J, A, A, I, I, I, A, A), critical);
            batch = linker.downcallHandle(find(lib, "qins9_dot_rows_batch"),
                    FunctionDescriptor.ofVoid(A, A, A, I, J, J, A, A, I, I, I, I, A, A, I), critical);
            decode = linker.downcallHandle(find(lib, "qins9_decode_rows"),
                    FunctionDescriptor.ofVoid(A, A, A, I, J, J, A, A, I, I, I, A), critical);
            status = "loaded (AVX-512)";
        } catch (Throwable e) {
            prepare = null;
            dot = null;
            batch = null;
            decode = null;
            status = "unavailable: " + e.getMessage();
        }
        PREPARE = prepare;
        DOT_ROWS = dot;
        DOT_ROWS_BATCH = batch;
        DECODE_ROWS = decode;
        STATUS = status;
        LOG.fine(() -> "native kernels " + STATUS);
    }

    private NativeKernels() {}

    /** True when the native kernels run on this machine. */
    static boolean available() {
        return DOT_ROWS != null;
    }

    /** {@code loaded (...)} or {@code unavailable: why}. */
    static String status() {
        return STATUS;
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("the library has no symbol " + name));
    }

    private static SymbolLookup load() throws IOException, URISyntaxException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("built for Linux x86-64 only; this is " + os + "/" + arch);
        }
        URL url = NativeKernels.class.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("not built (no C compiler when qins-codec was built: " + RESOURCE + " is missing)");
        }
        Path path;
        if (url.getProtocol().equals("file")) {
            path = Path.of(url.toURI());
        } else {
            // Inside a jar: a private copy, removed at exit (the loader needs a file).
            path = Files.createTempFile("qins-kernels-", ".so");
            path.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, path, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return SymbolLookup.libraryLookup(path, Arena.global());
    }
}
