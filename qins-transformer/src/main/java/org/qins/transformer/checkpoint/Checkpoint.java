package org.qins.transformer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.qins.api.DType;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/** TEMPORARY test double of the lead's Checkpoint (single-file, float only). Deleted before merging main. */
public final class Checkpoint implements AutoCloseable {

    private final Path dir;
    private final Arena arena = Arena.ofShared();
    private final Map<String, TensorView> tensors = new LinkedHashMap<>();

    private Checkpoint(Path dir) {
        this.dir = dir;
        Path file = dir.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            ByteBuffer lenBuf = all.asSlice(0, 8).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = lenBuf.getLong();
            byte[] header = all.asSlice(8, headerLen).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            JsonNode root = new ObjectMapper().readTree(new String(header, StandardCharsets.UTF_8));
            long base = 8 + headerLen;
            for (var e : root.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode n = e.getValue();
                long[] shape = new long[n.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = n.get("shape").get(i).asLong();
                }
                long from = n.get("data_offsets").get(0).asLong();
                long to = n.get("data_offsets").get(1).asLong();
                tensors.put(e.getKey(), new TensorView(e.getKey(), DType.fromSafetensors(n.get("dtype").asText()), shape,
                        all.asSlice(base + from, to - from)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    public static Checkpoint open(Path modelDir) {
        return new Checkpoint(modelDir);
    }

    public Path directory() {
        return dir;
    }

    public Set<String> tensorNames() {
        return tensors.keySet();
    }

    public boolean has(String tensorName) {
        return tensors.containsKey(tensorName);
    }

    public TensorView tensor(String tensorName) {
        TensorView t = tensors.get(tensorName);
        if (t == null) {
            throw new IllegalArgumentException(dir.resolve("model.safetensors") + ": no tensor '" + tensorName + "'");
        }
        return t;
    }

    public StoredWeight linear(String baseName) {
        return StoredWeight.ofFloat(baseName, tensor(baseName + ".weight"));
    }

    public Map<String, String> metadata() {
        return Map.of();
    }

    @Override
    public void close() {
        arena.close();
    }
}
