package org.qins.transformer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qins.api.DType;
import org.qins.api.TensorView;

/**
 * One memory-mapped safetensors file. The header is validated when the file is opened: its size
 * (at most {@value #MAX_HEADER_BYTES} bytes), JSON shape, known dtypes, offsets inside the data
 * area, byte lengths consistent with dtype and shape. Every error names the file and the tensor.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The safetensors format caps the JSON header at 100 MB. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Arena arena;
    private final Map<String, TensorView> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, Map<String, TensorView> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps and validates {@code path}. */
    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment file = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            SafetensorsFile f = parse(path, file, size, arena);
            return f;
        } catch (IOException e) {
            arena.close();
            throw new CheckpointException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, MemorySegment file, long size, Arena arena) {
        if (size < 8) {
            throw new CheckpointException(path + ": not a safetensors file (" + size + " bytes, need at least 8)");
        }
        long headerLen = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
            throw new CheckpointException(path + ": header size " + headerLen + " outside (0, " + MAX_HEADER_BYTES + "]");
        }
        if (8 + headerLen > size) {
            throw new CheckpointException(path + ": header size " + headerLen + " exceeds the file (" + size + " bytes)");
        }
        byte[] headerBytes = file.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CheckpointException(path + ": header is not valid JSON: " + e.getMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(path + ": header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        Map<String, TensorView> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw new CheckpointException(path + ": __metadata__ is not an object");
                }
                v.properties().forEach(m -> {
                    if (!m.getValue().isTextual()) {
                        throw new CheckpointException(path + ": __metadata__ value of '" + m.getKey() + "' is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                });
                continue;
            }
            tensors.put(name, tensor(path, name, v, file, dataStart, dataLen));
        }
        return new SafetensorsFile(path, arena, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static TensorView tensor(Path path, String name, JsonNode v, MemorySegment file, long dataStart, long dataLen) {
        String where = path + ": tensor '" + name + "'";
        if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray() || !v.path("data_offsets").isArray()
                || v.path("data_offsets").size() != 2) {
            throw new CheckpointException(where + ": entry needs dtype, shape and data_offsets [begin, end]");
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensors(v.get("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(where + ": " + e.getMessage());
        }
        long[] shape = new long[v.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = v.get("shape").get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new CheckpointException(where + ": bad dimension " + d);
            }
            shape[i] = d.asLong();
        }
        long begin = v.get("data_offsets").get(0).asLong(-1);
        long end = v.get("data_offsets").get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLen) {
            throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end + "] outside the data area of "
                    + dataLen + " bytes");
        }
        long expected;
        try {
            expected = Math.multiplyExact(TensorView.elementCount(shape), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + ": shape too large");
        }
        if (end - begin != expected) {
            throw new CheckpointException(where + ": " + dtype + java.util.Arrays.toString(shape) + " needs " + expected
                    + " bytes but data_offsets span " + (end - begin));
        }
        MemorySegment data = expected == 0 ? MemorySegment.ofArray(new byte[0]) : file.asSlice(dataStart + begin, expected);
        return new TensorView(name, dtype, shape, data);
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

    /** Unmaps the file; views become unusable. */
    @Override
    public void close() {
        arena.close();
    }
}
