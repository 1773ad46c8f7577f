package org.qins.api.kernel;

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

/**
 * A native kernel library that a module's build put among its classes ({@code native/build-native.sh}),
 * loaded through the FFM API. {@link #load} never throws: a library that was not built (no C compiler
 * at build time), is not for this platform, has another version or does not run on this CPU comes back
 * unavailable with the reason, and the module runs its Java kernels. Every library exports
 * {@code <prefix>_native_version()} and {@code <prefix>_native_supported()} (1 when this CPU runs it).
 *
 * <p>Downcalls made with {@link #downcall} are {@code critical}: the kernels run briefly, never call
 * back, and read and write the Java arrays they are given in place.
 */
public final class NativeLibrary {

    private final SymbolLookup symbols;
    private final String status;

    private NativeLibrary(SymbolLookup symbols, String status) {
        this.symbols = symbols;
        this.status = status;
    }

    /**
     * The library at resource {@code resource} of {@code owner}'s class loader, checked for {@code version}
     * and this CPU; {@code cpu} names what it needs, for the message when the CPU lacks it.
     */
    public static NativeLibrary load(Class<?> owner, String resource, String prefix, int version, String cpu) {
        try {
            SymbolLookup lib = lookup(owner, resource);
            Linker linker = Linker.nativeLinker();
            int found = (int) linker.downcallHandle(find(lib, prefix + "_native_version"), FunctionDescriptor.of(ValueLayout.JAVA_INT))
                    .invokeExact();
            if (found != version) {
                return new NativeLibrary(null, "unavailable: library version " + found + ", this build needs " + version);
            }
            int supported = (int) linker.downcallHandle(find(lib, prefix + "_native_supported"), FunctionDescriptor.of(ValueLayout.JAVA_INT))
                    .invokeExact();
            if (supported == 0) {
                return new NativeLibrary(null, "unavailable: this CPU lacks " + cpu);
            }
            return new NativeLibrary(lib, "loaded (" + cpu + ")");
        } catch (Throwable e) {
            return new NativeLibrary(null, "unavailable: " + e.getMessage());
        }
    }

    /** True when the library is loaded and runs on this CPU. */
    public boolean available() {
        return symbols != null;
    }

    /** {@code loaded (...)} or {@code unavailable: why}. */
    public String status() {
        return status;
    }

    /** A critical downcall handle for {@code name}; only when {@link #available()}. */
    public MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        if (symbols == null) {
            throw new IllegalStateException("native library " + status);
        }
        return Linker.nativeLinker().downcallHandle(find(symbols, name), descriptor, Linker.Option.critical(true));
    }

    /**
     * A native segment as a segment of the global scope at the same address: a downcall acquires and releases
     * the scope of every segment it is passed, which for a shared arena (a mapped checkpoint) is an atomic
     * update of one counter per call from every thread. For segments that outlive every call made with them
     * (a layer's weights); heap segments come back as they are.
     */
    public static MemorySegment unscoped(MemorySegment s) {
        return s.isNative() ? MemorySegment.ofAddress(s.address()).reinterpret(s.byteSize()) : s;
    }

    /**
     * What a downcall threw, to rethrow: unchecked exceptions as they are, errors thrown here, anything else
     * (a {@code MethodHandle.invokeExact} declares {@code Throwable}) wrapped.
     */
    public static RuntimeException unchecked(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e);
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("the library has no symbol " + name));
    }

    private static SymbolLookup lookup(Class<?> owner, String resource) throws IOException, URISyntaxException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("built for Linux x86-64 only; this is " + os + "/" + arch);
        }
        URL url = owner.getResource(resource);
        if (url == null) {
            throw new IllegalStateException("not built (no C compiler when " + owner.getPackageName() + " was built: " + resource
                    + " is missing)");
        }
        Path path = url.getProtocol().equals("file") ? Path.of(url.toURI()) : extracted(url, resource);
        return SymbolLookup.libraryLookup(path, Arena.global());
    }

    /**
     * A library inside a jar as a file (the loader needs one): {@code $QINS_CACHE/native/<sha-256>/<name>} (else
     * {@code ~/.cache/qins}), written once under a temporary name and renamed, so that runs share it, a killed run
     * leaves nothing half-written, and another build's library never stands in. Where that directory cannot be
     * written, a temporary file removed at exit.
     */
    private static Path extracted(URL url, String resource) throws IOException {
        byte[] bytes;
        try (InputStream in = url.openStream()) {
            bytes = in.readAllBytes();
        }
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        try {
            String cache = System.getenv("QINS_CACHE");
            Path root = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "qins");
            Path dir = root.resolve("native").resolve(sha256(bytes));
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file) && Files.size(file) == bytes.length) {
                return file;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + name + ".", ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (IOException | SecurityException e) {
            Path tmp = Files.createTempFile("qins-native-", ".so");
            tmp.toFile().deleteOnExit();
            Files.write(tmp, bytes);
            return tmp;
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
