package org.qins.transformer.checkpoint;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.qins.transformer.io.JsonErrors;

/**
 * {@code model.safetensors.index.json}: its {@code weight_map} maps every tensor name to the shard
 * file (a plain file name in the same directory) that holds it. Checked when read: an object of
 * strings naming existing shards; and once the shards are open, that the map and the shards list
 * the same tensors ({@link #checkAgainst}).
 */
final class ShardIndex {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    final Path file;
    /** Tensor name to shard file name, in the index's order. */
    final Map<String, String> shardOf;

    private ShardIndex(Path file, Map<String, String> shardOf) {
        this.file = file;
        this.shardOf = shardOf;
    }

    static ShardIndex read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + JsonErrors.describe(e), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(file + ": needs a \"weight_map\" object of tensor name -> shard file");
        }
        if (map.isEmpty()) {
            throw new CheckpointException(file + ": weight_map lists no tensors");
        }
        Path dir = file.toAbsolutePath().getParent();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            JsonNode v = e.getValue();
            if (!v.isTextual()) {
                throw new CheckpointException(file + ": weight_map entry of tensor '" + e.getKey() + "' must be a shard file name"
                        + " string, got " + v.getNodeType());
            }
            String shard = v.textValue();
            if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.startsWith(".") || shard.indexOf('\0') >= 0) {
                throw new CheckpointException(file + ": tensor '" + e.getKey() + "' names an unsafe shard path '" + shard
                        + "' (shards are plain file names in the model directory)");
            }
            if (!Files.isRegularFile(dir.resolve(shard))) {
                throw new CheckpointException(file + ": tensor '" + e.getKey() + "' names shard " + shard + ", which does not exist");
            }
            out.put(e.getKey(), shard);
        }
        return new ShardIndex(file, out);
    }

    /** The distinct shard files, in the order the index first names them. */
    List<Path> shards() {
        Path dir = file.toAbsolutePath().getParent();
        return shardOf.values().stream().distinct().map(dir::resolve).toList();
    }

    /** Every tensor of the index is in the shard it names, and every tensor of the shards is in the index. */
    void checkAgainst(Map<String, Path> fileOf) {
        for (Map.Entry<String, String> e : shardOf.entrySet()) {
            Path actual = fileOf.get(e.getKey());
            if (actual == null || !actual.getFileName().toString().equals(e.getValue())) {
                throw new CheckpointException(file + ": tensor '" + e.getKey() + "' should be in " + e.getValue() + " but "
                        + (actual == null ? "no shard has it" : "it is in " + actual.getFileName()));
            }
        }
        List<String> unlisted = new ArrayList<>();
        fileOf.forEach((name, shard) -> {
            if (!shardOf.containsKey(name)) {
                unlisted.add(name + " (in " + shard.getFileName() + ")");
            }
        });
        if (!unlisted.isEmpty()) {
            throw new CheckpointException(file + ": weight_map does not list " + unlisted.size() + " tensor(s) of the shards: "
                    + new TreeSet<>(unlisted).stream().limit(5).toList() + (unlisted.size() > 5 ? " ..." : ""));
        }
    }
}
