package org.qins.transformer.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qins.api.TensorView;

/**
 * One memory-mapped safetensors file: an 8-byte little-endian header size N (at most
 * {@value #MAX_HEADER_BYTES}), N bytes of JSON header ({@link SafetensorsHeader} checks it), then
 * the data buffer, which the tensors must cover exactly. Every error names the file and the tensor.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The safetensors format caps the JSON header at 100,000,000 bytes (the reference reader's limit). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final Map<String, TensorView> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping, Map<String, TensorView> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps and validates {@code path}. */
    public static SafetensorsFile open(Path path) {
        return MappedFile.open(path, (file, size, arena) -> parse(path, file, size, arena));
    }

    private static SafetensorsFile parse(Path path, MemorySegment file, long size, Arena arena) {
        if (size < 8) {
            throw new CheckpointException(path + ": not a safetensors file (" + size + " bytes; the header size field alone is 8)");
        }
        long headerLen = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw new CheckpointException(path + ": header size " + Long.toUnsignedString(headerLen)
                    + " exceeds the format's limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLen < 2) {
            throw new CheckpointException(path + ": header size " + headerLen + " cannot hold a JSON object (at least 2 bytes)");
        }
        if (headerLen > size - 8) {
            throw new CheckpointException(path + ": header size " + headerLen + " runs past the end of the file (" + size
                    + " bytes leave at most " + (size - 8) + " for the header)");
        }
        byte[] headerBytes = file.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        long dataStart = 8 + headerLen;
        SafetensorsHeader header = SafetensorsHeader.parse(path, headerBytes, size - dataStart);
        Map<String, TensorView> tensors = new LinkedHashMap<>();
        for (SafetensorsHeader.Entry e : header.entries) {
            long bytes = e.end() - e.begin();
            MemorySegment data = bytes == 0 ? MemorySegment.ofArray(new byte[0]) : file.asSlice(dataStart + e.begin(), bytes);
            tensors.put(e.name(), new TensorView(e.name(), e.dtype(), e.shape(), data));
        }
        return new SafetensorsFile(path, arena, file, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(header.metadata));
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public Map<String, TensorView> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Drops bytes {@code [from, from + length)} of tensor {@code t} of this file from the process's resident
     * set ({@link PageAdvice}); the view stays usable and reads them back when touched.
     */
    void release(TensorView t, long from, long length) {
        if (mapping.byteSize() == 0 || t.data().byteSize() == 0) {
            return;
        }
        long offset = t.data().address() - mapping.address();
        if (offset < 0 || offset + t.data().byteSize() > mapping.byteSize()) {
            throw new IllegalArgumentException(path + ": tensor '" + t.name() + "' is not a view of this file");
        }
        PageAdvice.release(mapping, offset + from, Math.min(length, t.data().byteSize() - from));
    }

    /** Unmaps the file; views become unusable. */
    @Override
    public void close() {
        arena.close();
    }
}
