package org.qins.transformer.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a file whole or not at all: the content goes to a temporary sibling
 * {@code .<name>.<pid>.tmp}, is forced to disk, and is renamed over the target only when complete,
 * so a failed or killed run never leaves a short file that still parses where a good one was.
 * Temporary siblings of processes that no longer run (killed runs) are removed, and reported, by
 * the next write of the same file. Directories written whole (a converted model, a synthetic one)
 * take a temporary sibling from {@link #newTempDirectory} under the same rule.
 */
public final class AtomicFiles {

    /** Writes the content; may close the stream it is given. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger("org.qins.io");

    private AtomicFiles() {
    }

    /** Writes {@code file} with {@code body}; on any failure the file is as it was before. */
    public static void write(Path file, Body body) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = dir.resolve(tempName(target.getFileName().toString(), ProcessHandle.current().pid()));
        try {
            Files.createDirectories(dir);
            for (Path stale : removeStale(target)) {
                LOG.log(System.Logger.Level.WARNING, "removed " + stale + ", left by a run that was killed while writing " + target);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                body.write(new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush(); // the channel stays open to be forced below
                    }
                });
                ch.force(true);
            }
            move(tmp, target);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage() + " (the previous content, if any,"
                    + " is unchanged)", e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /**
     * A new, empty temporary directory next to {@code dir}, {@code .<name>.<pid>-<n>.tmp}, to be renamed to
     * {@code dir} when complete; the ones left by processes that no longer run are removed first and logged.
     */
    public static Path newTempDirectory(Path dir) throws IOException {
        Path target = dir.toAbsolutePath();
        Files.createDirectories(target.getParent());
        for (Path stale : removeStale(target)) {
            LOG.log(System.Logger.Level.WARNING, "removed " + stale + ", left by a run that was killed while writing " + target);
        }
        long pid = ProcessHandle.current().pid();
        return Files.createDirectory(target.resolveSibling(tempName(target.getFileName().toString(), pid + "-"
                + DIRECTORIES.incrementAndGet())));
    }

    private static final java.util.concurrent.atomic.AtomicLong DIRECTORIES = new java.util.concurrent.atomic.AtomicLong();

    /** Removes the temporary siblings of {@code file} (files or directories) whose writing process is gone; returns them. */
    public static List<Path> removeStale(Path file) {
        Path target = file.toAbsolutePath();
        Pattern own = Pattern.compile(Pattern.quote("." + target.getFileName() + ".") + "(\\d+)(?:-\\d+)?" + Pattern.quote(".tmp"));
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(target.getParent(), "." + target.getFileName() + ".*.tmp")) {
            for (Path p : siblings) {
                Matcher m = own.matcher(p.getFileName().toString());
                if (m.matches() && !isRunning(m.group(1)) && deleteTree(p)) {
                    removed.add(p);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot look for stale temporary files next to " + target + ": " + e.getMessage());
        }
        return removed;
    }

    /** The temporary sibling's name for a write of {@code name} by process {@code pid}. */
    static String tempName(String name, long pid) {
        return tempName(name, Long.toString(pid));
    }

    private static String tempName(String name, String id) {
        return "." + name + "." + id + ".tmp";
    }

    private static boolean deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (java.util.stream.Stream<Path> all = Files.walk(p)) {
                for (Path q : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(q);
                }
            }
            return true;
        }
        return Files.deleteIfExists(p);
    }

    private static boolean isRunning(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the write's own error is the one to report
        }
    }
}
