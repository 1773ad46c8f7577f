package org.qins.transformer.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private static void text(Path file, String s) {
        AtomicFiles.write(file, out -> out.write(s.getBytes(StandardCharsets.UTF_8)));
    }

    private long siblings() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void writesAndReplacesWholeFiles() throws IOException {
        Path f = dir.resolve("sub/out.json");
        text(f, "{\"a\": 1}");
        assertThat(Files.readString(f)).isEqualTo("{\"a\": 1}");
        text(f, "{}");
        assertThat(Files.readString(f)).isEqualTo("{}");
        assertThat(Files.list(f.getParent()).count()).isEqualTo(1);
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path f = dir.resolve("out.json");
        text(f, "{\"good\": true}");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write("{\"go".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        })).isInstanceOf(UncheckedIOException.class).hasMessageContaining("cannot write " + f).hasMessageContaining("disk full")
                .hasMessageContaining("unchanged");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write('{');
            throw new IllegalStateException("the run failed");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(Files.readString(f)).isEqualTo("{\"good\": true}");
        assertThat(siblings()).isEqualTo(1);
    }

    @Test
    void aBodyMayCloseItsStream() throws IOException {
        Path f = dir.resolve("out.txt");
        AtomicFiles.write(f, out -> {
            try (out) {
                out.write("closed early".getBytes(StandardCharsets.UTF_8));
            }
        });
        assertThat(Files.readString(f)).isEqualTo("closed early");
    }

    @Test
    void temporariesOfKilledRunsAreRemovedByTheNextWriteAndThoseOfLiveRunsKept() throws IOException {
        Path f = dir.resolve("out.json");
        long dead = ProcessHandle.current().pid() + 1_000_000_000L; // no such process
        Path stale = dir.resolve(AtomicFiles.tempName("out.json", dead));
        Path live = dir.resolve(AtomicFiles.tempName("out.json", ProcessHandle.current().parent().orElseThrow().pid()));
        Path other = dir.resolve(".other.json.123.tmp");
        for (Path p : new Path[] {stale, live, other}) {
            Files.writeString(p, "{\"par");
        }
        assertThat(AtomicFiles.removeStale(f)).containsExactly(stale.toAbsolutePath());
        assertThat(stale).doesNotExist();
        assertThat(live).exists();
        assertThat(other).exists();
        Files.writeString(stale, "{\"par");
        text(f, "{}");
        assertThat(stale).doesNotExist();
    }

    @Test
    void aNewTemporaryDirectoryRemovesThoseOfKilledRunsWithTheirFiles() throws IOException {
        Path model = dir.resolve("model-qins");
        long dead = ProcessHandle.current().pid() + 1_000_000_000L; // no such process
        Path stale = dir.resolve("." + "model-qins." + dead + "-7.tmp");
        Files.createDirectories(stale.resolve("sub"));
        Files.writeString(stale.resolve("model-00001-of-00002.safetensors"), "partial");
        Files.writeString(stale.resolve("sub/x"), "partial");
        Path live = dir.resolve("." + "model-qins." + ProcessHandle.current().parent().orElseThrow().pid() + "-1.tmp");
        Files.createDirectories(live);

        Path tmp = AtomicFiles.newTempDirectory(model);
        assertThat(stale).doesNotExist();
        assertThat(live).exists();
        assertThat(tmp).isEmptyDirectory().hasParent(dir.toAbsolutePath());
        assertThat(tmp.getFileName().toString()).matches("\\.model-qins\\." + ProcessHandle.current().pid() + "-\\d+\\.tmp");
        assertThat(AtomicFiles.newTempDirectory(model)).isNotEqualTo(tmp).exists(); // two in one process: apart
    }
}
