package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure-Java fallback: a child JVM on a copy of the main classes without the native library
 * (as built where no C compiler is present), and the build script's own no-compiler path.
 */
class NativeFallbackTest {

    @TempDir
    Path tmp;

    @Test
    void withoutTheLibraryAutoRunsTheJavaKernelsAndNativeIsRefused() throws Exception {
        Path classes = Path.of(NativeKernels.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path copy = tmp.resolve("classes");
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path rel = classes.relativize(f);
                if (rel.toString().endsWith(".so")) {
                    continue;
                }
                Path dst = copy.resolve(rel.toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(f, dst);
                }
            }
        }
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            cp.add(Path.of(e).toAbsolutePath().equals(classes.toAbsolutePath()) ? copy.toString() : e);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, cp), NativeFallbackMain.class.getName()))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("status=unavailable: not built").contains("auto=qins9-")
                .doesNotContain("auto=qins9-native").contains("native=refused: layer 'fallback': kernel native: native kernels unavailable: not built")
                .contains("ok");
    }

    @Test
    void theBuildScriptBuildsNothingWithoutACompilerAndSaysSo() throws IOException, InterruptedException {
        Path script = Path.of("../native/build-native.sh");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "src/main/c/qins_kernels.c", "qinskernels", tmp.toString())
                .redirectErrorStream(true);
        pb.environment().put("CC", "/nonexistent/cc");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("libqinskernels: not built (no C compiler");
        assertThat(tmp.resolve("libqinskernels.so")).doesNotExist();
    }
}
