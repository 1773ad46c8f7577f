package org.qins.transformer.checkpoint;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A checkpoint file mapped read-only into an arena of its own, handed to a parser that keeps the arena
 * (and closes it with what it returns); the arena is closed here when reading or parsing fails. The
 * mapping asks for huge pages ({@link PageAdvice#preferHugePages}): weights are streamed whole at every
 * decode step.
 */
public final class MappedFile {

    /** Parses a mapped file: {@code file} holds {@code size} bytes ({@link MemorySegment#NULL} when empty). */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(MemorySegment file, long size, Arena arena);
    }

    private MappedFile() {
    }

    public static <T> T open(Path path, Parser<T> parser) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment file = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            PageAdvice.preferHugePages(file);
            return parser.parse(file, size, arena);
        } catch (IOException e) {
            arena.close();
            throw new CheckpointException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
