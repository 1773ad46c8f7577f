package org.qins.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.DType;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.tools.synth.ModelShape;
import org.qins.tools.synth.RandomModelWriter;

/**
 * The converter's memory is bounded by the largest tensor, not the model: a model of about
 * 110 MB converts in a JVM whose heap is capped at 40 MB.
 */
class ConverterMemoryTest {

    @TempDir
    Path tmp;

    @Test
    void convertsAModelLargerThanItsHeap() throws Exception {
        ModelShape shape = new ModelShape(512, 8, 8, 4, 1376, 4096);
        Path model = tmp.resolve("model");
        new RandomModelWriter(shape, 7, DType.F32).write(model);
        long modelBytes = Files.size(model.resolve(Checkpoint.SINGLE_FILE));
        int heapMb = 40;
        assertThat(modelBytes).isGreaterThan(2L * heapMb << 20);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx" + heapMb + "m", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), ConvertMain.class.getName(),
                model.toString(), tmp.resolve("out").toString()))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String log = Files.readString(tmp.resolve("log.txt"));
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(log).contains("peak-heap-ok");
        try (Checkpoint c = Checkpoint.open(tmp.resolve("out"))) {
            assertThat(c.isEncoded("model.layers.7.mlp.down_proj")).isTrue();
        }
        assertThat(new File(tmp.toFile(), "out").list()).contains("config.json", "model.safetensors");
    }
}
