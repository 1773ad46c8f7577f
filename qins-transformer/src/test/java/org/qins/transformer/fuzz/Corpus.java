package org.qins.transformer.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The regression corpus in the test resources: {@code /fuzz/<target>/}. */
final class Corpus {

    private Corpus() {
    }

    static Path dir(String target) {
        try {
            return Path.of(Corpus.class.getResource("/fuzz/" + target).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Files of the target's corpus whose names end with {@code suffix}, sorted by name. */
    static List<Path> files(String target, String suffix) {
        try (Stream<Path> s = Files.list(dir(target))) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
