package org.qins.transformer.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qins.api.DType;
import org.qins.api.TensorView;

/**
 * Writes a safetensors file tensor by tensor with memory bounded by one tensor: data goes to a
 * side file as it arrives, and {@link #close()} writes the header followed by that data. Until
 * {@code close()} succeeds, {@code file} does not exist; on failure the side file is removed.
 */
public final class SafetensorsWriter implements AutoCloseable {

    private static final long SLICE = 1L << 26;

    private final Path file;
    private final Path dataFile;
    private final FileChannel data;
    private final ObjectNode header = new ObjectMapper().createObjectNode();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private long offset;
    private boolean closed;

    public SafetensorsWriter(Path file) {
        this.file = file;
        this.dataFile = file.resolveSibling(file.getFileName() + ".data.tmp");
        try {
            this.data = FileChannel.open(dataFile, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot create " + dataFile + ": " + e.getMessage(), e);
        }
    }

    public void putMetadata(String key, String value) {
        metadata.put(key, value);
    }

    /** Receives a tensor's bytes in order, in pieces of any size. */
    @FunctionalInterface
    public interface Sink {
        void write(MemorySegment piece);
    }

    /** Produces a tensor's bytes into a {@link Sink}, so that no more than a piece of it is in memory at once. */
    @FunctionalInterface
    public interface Pieces {
        void writeTo(Sink sink);
    }

    /** Appends one tensor; {@code data} holds exactly its little-endian bytes. */
    public void add(String name, DType dtype, long[] shape, MemorySegment bytes) {
        add(name, dtype, shape, sink -> sink.write(bytes));
    }

    /**
     * Appends one tensor whose little-endian bytes {@code pieces} writes in order; they must add up to
     * exactly the tensor's size, or the whole file is abandoned.
     */
    public void add(String name, DType dtype, long[] shape, Pieces pieces) {
        if (closed) {
            throw new IllegalStateException(file + ": writer is closed");
        }
        if (name.equals("__metadata__") || header.has(name)) {
            throw new CheckpointException(file + ": tensor '" + name + "' written twice or reserved");
        }
        long expected = Math.multiplyExact(TensorView.elementCount(shape), dtype.bytes());
        long[] written = {0};
        try {
            pieces.writeTo(piece -> {
                if (written[0] + piece.byteSize() > expected) {
                    throw new CheckpointException(file + ": tensor '" + name + "' " + dtype + Arrays.toString(shape) + " needs "
                            + expected + " bytes, got more");
                }
                try {
                    // A ByteBuffer holds at most 2 GiB: write a large piece in slices.
                    for (long at = 0; at < piece.byteSize(); at += SLICE) {
                        ByteBuffer buf = byteBuffer(piece.asSlice(at, Math.min(SLICE, piece.byteSize() - at)));
                        while (buf.hasRemaining()) {
                            data.write(buf);
                        }
                    }
                } catch (IOException e) {
                    throw new CheckpointException(file + ": writing tensor '" + name + "': " + e.getMessage(), e);
                }
                written[0] += piece.byteSize();
            });
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
        if (written[0] != expected) {
            abort();
            throw new CheckpointException(file + ": tensor '" + name + "' " + dtype + Arrays.toString(shape) + " needs "
                    + expected + " bytes, got " + written[0]);
        }
        ObjectNode entry = header.putObject(name);
        entry.put("dtype", dtype.safetensorsName());
        ArrayNode s = entry.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        entry.putArray("data_offsets").add(offset).add(offset + expected);
        offset += expected;
    }

    /** A buffer over {@code slice}; a copy when it lies in a heap array other than byte[] (which NIO cannot wrap). */
    private static ByteBuffer byteBuffer(MemorySegment slice) {
        if (slice.heapBase().map(base -> !(base instanceof byte[])).orElse(false)) {
            return ByteBuffer.wrap(slice.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        return slice.asByteBuffer();
    }

    /** Appends a tensor view (its name may be replaced by {@code name}). */
    public void add(String name, TensorView t) {
        add(name, t.dtype(), t.shape(), t.data());
    }

    /** Writes header + data to {@code file}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            ObjectNode full = new ObjectMapper().createObjectNode();
            if (!metadata.isEmpty()) {
                ObjectNode m = full.putObject("__metadata__");
                metadata.forEach(m::put);
            }
            full.setAll(header);
            byte[] json = new ObjectMapper().writeValueAsBytes(full);
            int padded = (json.length + 7) / 8 * 8; // keeps the data area 8-byte aligned
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            head.flip();
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                while (head.hasRemaining()) {
                    out.write(head);
                }
                copyInLargeWrites(data, offset, out);
            }
            data.close();
            Files.deleteIfExists(dataFile);
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            abort();
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // best effort: the error below is what matters
            }
            throw new CheckpointException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Bytes per write when the data area is copied behind the header. */
    private static final int COPY_WRITE = 16 << 20;

    /**
     * {@code size} bytes of {@code from} appended to {@code to} in writes of 16 MiB. Not {@code transferTo}: Linux copies
     * a file range (copy_file_range) in small pieces, and the written file then sits in the page cache in 4 KiB pages,
     * where large writes leave it in 2 MiB pages that a mapping of the file gets as huge pages. Measured on the
     * TinyLlama-shaped float32 checkpoint, the same bytes copied each way and run mapped, alternated three times:
     * 9.5, 8.5, 10.1 against 10.3, 9.6, 11.1 decode tokens/s (qins-bench/RESULTS.md, round 10).
     */
    private static void copyInLargeWrites(FileChannel from, long size, FileChannel to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(COPY_WRITE, Math.max(1, size)));
        long pos = 0;
        while (pos < size) {
            buf.clear().limit((int) Math.min(buf.capacity(), size - pos));
            while (buf.hasRemaining()) {
                int n = from.read(buf, pos + buf.position());
                if (n < 0) {
                    throw new IOException("the data area ended at byte " + (pos + buf.position()) + " of " + size);
                }
            }
            buf.flip();
            while (buf.hasRemaining()) {
                to.write(buf);
            }
            pos += buf.limit();
        }
    }

    /** Drops everything written so far. */
    public void abort() {
        closed = true;
        try {
            data.close();
            Files.deleteIfExists(dataFile);
        } catch (IOException ignored) {
            // nothing more can be done; the caller reports the original failure
        }
    }

    /** Bytes of tensor data written so far. */
    public long dataBytes() {
        return offset;
    }
}
