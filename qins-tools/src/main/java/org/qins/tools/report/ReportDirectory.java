package org.qins.tools.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a report directory whole or not at all: the files go to a temporary sibling directory
 * that is renamed to the output only when every file is written, so a failed run leaves nothing
 * that looks like a report. An existing output is refused, as {@code qins convert} refuses one.
 */
public final class ReportDirectory {

    /** Writes one file's content. */
    @FunctionalInterface
    public interface Content {
        void write(OutputStream out) throws IOException;
    }

    private final Map<String, Content> files = new LinkedHashMap<>();

    /** Adds a file, by its name inside the directory. */
    public ReportDirectory add(String name, Content content) {
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("not a plain file name: '" + name + "'");
        }
        if (files.putIfAbsent(name, content) != null) {
            throw new IllegalArgumentException("file '" + name + "' is added twice");
        }
        return this;
    }

    /** Writes every file into {@code output}, which must not exist yet; returns the files' paths. */
    public List<Path> writeTo(Path output) {
        Path target = output.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            throw new IllegalArgumentException(output + " already exists; choose another --output or remove it");
        }
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            // A sibling named by this process (created with the umask's permissions, as the output will keep them); one left
            // by a killed run that had the same process id is removed first.
            Path own = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            if (Files.exists(own)) {
                deleteQuietly(own);
            }
            tmp = Files.createDirectory(own);
            for (Map.Entry<String, Content> f : files.entrySet()) {
                try (OutputStream out = Files.newOutputStream(tmp.resolve(f.getKey()))) {
                    f.getValue().write(out);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            tmp = null;
            return files.keySet().stream().map(target::resolve).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + output + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // the write's own error is the one to report
        }
    }
}
