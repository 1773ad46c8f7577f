package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The 8-lane (AVX2) table kernels, in a child JVM with {@code -XX:UseAVX=2}; this machine's own JVM has 16 lanes. */
class EightLaneKernelTest {

    @Test
    void tableKernelsWithEightLanesMatchDecodeThenMultiply() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "UseAVX is an x86 flag");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-XX:UseAVX=2", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), EightLaneMain.class.getName()))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("kernel=qins9-vector-8").contains("kernel=qins8-vector-8").contains("ok");
    }
}
