package org.qins.transformer.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.qins.api.DType;
import org.qins.api.TensorView;

/**
 * Writes a model's tensors into a directory as the Hugging Face Hub shards them: consecutive
 * tensors fill a shard up to {@code maxShardBytes} of tensor data (a tensor is never split; one
 * larger than the limit gets a shard of its own), shards are named
 * {@code model-00001-of-0000N.safetensors} and listed in {@code model.safetensors.index.json}
 * ({@code metadata.total_size} and {@code weight_map}); a model that fits one shard is a single
 * {@code model.safetensors} without an index. Memory is bounded by the piece of a tensor being
 * written ({@link SafetensorsWriter}). Shards get their final names only in {@link #close()}, so the
 * directory holds no complete-looking checkpoint before it succeeds; the caller writes into a
 * temporary directory it renames when complete.
 */
public final class ShardedCheckpointWriter implements AutoCloseable {

    /** The Hub's shard size: {@code save_pretrained(max_shard_size="5GB")}. */
    public static final long HUB_SHARD_BYTES = 5_000_000_000L;

    private final Path dir;
    private final long maxShardBytes;
    private final Map<String, String> sharedMetadata = new LinkedHashMap<>();
    private final List<Path> shards = new ArrayList<>();
    /** Tensor name -> index of its shard in {@link #shards}. */
    private final Map<String, Integer> shardOf = new LinkedHashMap<>();
    private SafetensorsWriter current;
    private long currentBytes;
    private long totalBytes;
    private boolean closed;
    /** A tensor failed to write: close() then abandons everything instead of finishing. */
    private boolean failed;

    public ShardedCheckpointWriter(Path dir, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("shard size must be > 0, got " + maxShardBytes);
        }
        this.dir = dir;
        this.maxShardBytes = maxShardBytes;
    }

    /** Metadata written into every shard's header (e.g. the checkpoint's format). */
    public void putSharedMetadata(String key, String value) {
        if (!shards.isEmpty()) {
            throw new IllegalStateException("shared metadata must be set before the first tensor");
        }
        sharedMetadata.put(key, value);
    }

    /**
     * Metadata of the shard that holds the last tensor added (a weight's format entries, written right
     * after its parts); readers merge every shard's metadata.
     */
    public void putMetadata(String key, String value) {
        if (current == null) {
            throw new IllegalStateException("no tensor written yet: use putSharedMetadata for '" + key + "'");
        }
        current.putMetadata(key, value);
    }

    /** Appends a tensor, starting a new shard first if it would not fit the current one. */
    public void add(String name, DType dtype, long[] shape, SafetensorsWriter.Pieces pieces) {
        long bytes = Math.multiplyExact(TensorView.elementCount(shape), dtype.bytes());
        if (shardOf.containsKey(name)) {
            throw new CheckpointException(dir + ": tensor '" + name + "' written twice");
        }
        try {
            if (current == null || currentBytes > 0 && currentBytes + bytes > maxShardBytes) {
                startShard();
            }
            current.add(name, dtype, shape, pieces);
        } catch (RuntimeException | Error e) {
            failed = true;
            throw e;
        }
        currentBytes += bytes;
        totalBytes += bytes;
        shardOf.put(name, shards.size() - 1);
    }

    public void add(String name, DType dtype, long[] shape, MemorySegment bytes) {
        add(name, dtype, shape, sink -> sink.write(bytes));
    }

    public void add(String name, TensorView t) {
        add(name, t.dtype(), t.shape(), t.data());
    }

    /** Bytes of tensor data written so far. */
    public long dataBytes() {
        return totalBytes;
    }

    private void startShard() {
        if (current != null) {
            current.close();
        }
        Path shard = dir.resolve(String.format(Locale.ROOT, ".shard-%05d.safetensors", shards.size() + 1));
        shards.add(shard);
        current = new SafetensorsWriter(shard);
        sharedMetadata.forEach(current::putMetadata);
        currentBytes = 0;
    }

    /** Closes the last shard, gives the shards their final names and writes the index (several shards). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (failed) {
            abort();
            return;
        }
        closed = true;
        if (current == null) {
            startShard(); // an empty checkpoint is still one valid file
        }
        current.close();
        int n = shards.size();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(shardName(i, n));
        }
        try {
            for (int i = 0; i < n; i++) {
                Files.move(shards.get(i), dir.resolve(names.get(i)), StandardCopyOption.ATOMIC_MOVE);
            }
            if (n > 1) {
                ObjectMapper json = new ObjectMapper();
                ObjectNode index = json.createObjectNode();
                index.putObject("metadata").put("total_size", totalBytes);
                ObjectNode map = index.putObject("weight_map");
                new TreeMap<>(shardOf).forEach((tensor, shard) -> map.put(tensor, names.get(shard)));
                json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(Checkpoint.INDEX_FILE).toFile(), index);
            }
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot finish the checkpoint's shards: " + e.getMessage(), e);
        }
    }

    /** Drops everything written so far: the shard being written and the finished ones (still under temporary names). */
    public void abort() {
        closed = true;
        if (current != null) {
            current.abort();
        }
        for (Path shard : shards) {
            try {
                Files.deleteIfExists(shard);
            } catch (IOException ignored) {
                // best effort: the caller reports the original failure
            }
        }
    }

    /** The file names a finished checkpoint of {@code shards} shards has (for messages and tests). */
    public static String shardName(int index, int shards) {
        return shards == 1 ? Checkpoint.SINGLE_FILE : String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", index + 1, shards);
    }
}
