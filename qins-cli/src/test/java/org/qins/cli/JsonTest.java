package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare, bench and demo write --json through {@link Json}: whole or not at all. */
class JsonTest {

    /** A report value whose serialization fails half way, as a full disk or a bug would. */
    public static final class Failing {
        public int getFirst() {
            return 1;
        }

        public int getSecond() {
            throw new IllegalStateException("fails while writing");
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("report.json");
        Json.write(Map.of("good", List.of(1, 2, 3)), file);
        String good = Files.readString(file);
        assertThat(good).contains("\"good\"");
        assertThatThrownBy(() -> Json.write(List.of(Map.of("a", 1), new Failing()), file)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot write " + file).hasMessageContaining("the previous content, if any, is unchanged");
        assertThat(Files.readString(file)).isEqualTo(good);
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("report.json");
        }
    }
}
