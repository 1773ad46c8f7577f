package org.qins.transformer.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/**
 * A model directory's weights: {@code model.safetensors}, or the shards listed in
 * {@code model.safetensors.index.json}. All files are memory-mapped; nothing is copied. Another
 * reader (a GGUF file) can present its tensors under the architecture's names with {@link #of}.
 */
public final class Checkpoint implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path directory;
    private final List<Path> files;
    private final Runnable onClose;
    private final Map<String, TensorView> tensors;
    private final Map<String, Path> fileOf;
    /** The safetensors files by path, whose pages {@link #release} can drop (none for another reader's tensors). */
    private final Map<Path, SafetensorsFile> byPath = new java.util.HashMap<>();
    private final Map<String, String> metadata;

    private Checkpoint(Path directory, List<Path> files, Runnable onClose, Map<String, TensorView> tensors, Map<String, Path> fileOf,
            Map<String, String> metadata, List<SafetensorsFile> safetensors) {
        this.directory = directory;
        this.files = files;
        this.onClose = onClose;
        this.tensors = tensors;
        this.fileOf = fileOf;
        this.metadata = metadata;
        safetensors.forEach(f -> byPath.put(f.path(), f));
    }

    /** Opens the checkpoint in {@code modelDir}. */
    public static Checkpoint open(Path modelDir) {
        Path index = modelDir.resolve(INDEX_FILE);
        Path single = modelDir.resolve(SINGLE_FILE);
        List<Path> paths;
        ShardIndex shards = null;
        if (Files.isRegularFile(index)) {
            shards = ShardIndex.read(index);
            paths = shards.shards();
        } else if (Files.isRegularFile(single)) {
            paths = List.of(single);
        } else if (Files.exists(index) || Files.exists(single)) {
            throw new CheckpointException((Files.exists(index) ? index : single) + ": not a regular file");
        } else {
            throw new CheckpointException(modelDir + ": no " + SINGLE_FILE + " or " + INDEX_FILE + " (found: " + listing(modelDir) + ")");
        }
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, TensorView> tensors = new LinkedHashMap<>();
            Map<String, Path> fileOf = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                metadata.putAll(f.metadata());
                for (Map.Entry<String, TensorView> e : f.tensors().entrySet()) {
                    Path previous = fileOf.putIfAbsent(e.getKey(), p);
                    if (previous != null) {
                        throw new CheckpointException("tensor '" + e.getKey() + "' is in both " + previous + " and " + p);
                    }
                    tensors.put(e.getKey(), e.getValue());
                }
            }
            if (shards != null) {
                shards.checkAgainst(fileOf);
            }
            List<SafetensorsFile> opened = List.copyOf(files);
            return new Checkpoint(modelDir, opened.stream().map(SafetensorsFile::path).toList(),
                    () -> opened.forEach(SafetensorsFile::close), Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(fileOf), Collections.unmodifiableMap(metadata), opened);
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /**
     * Tensors that another reader mapped from {@code file} (named as the architecture names them; encoded
     * weights recorded in {@code metadata} as {@link StoredFormats} says), released by {@code onClose}.
     */
    public static Checkpoint of(Path file, Map<String, TensorView> tensors, Map<String, String> metadata, Runnable onClose) {
        Map<String, Path> fileOf = new LinkedHashMap<>();
        tensors.keySet().forEach(n -> fileOf.put(n, file));
        return new Checkpoint(file, List.of(file), onClose, Collections.unmodifiableMap(new LinkedHashMap<>(tensors)),
                Collections.unmodifiableMap(fileOf), Map.copyOf(metadata), List.of());
    }

    private static String listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
        } catch (IOException e) {
            return "directory not readable: " + e.getMessage();
        }
    }

    public Path directory() {
        return directory;
    }

    /** Tensor names in file order. */
    public Set<String> tensorNames() {
        return tensors.keySet();
    }

    public boolean has(String tensorName) {
        return tensors.containsKey(tensorName);
    }

    /** The file that holds {@code tensorName}. */
    public Path fileOf(String tensorName) {
        tensor(tensorName);
        return fileOf.get(tensorName);
    }

    /** A raw tensor, or an error naming the checkpoint and the tensor. */
    public TensorView tensor(String tensorName) {
        TensorView t = tensors.get(tensorName);
        if (t == null) {
            throw new CheckpointException(directory + ": no tensor '" + tensorName + "' in " + files.stream()
                    .map(f -> f.getFileName().toString()).toList());
        }
        return t;
    }

    /**
     * Drops a tensor's pages from this process's resident set after a streaming pass over it (the
     * converter's): the mapping stays, so the tensor can still be read, from the page cache. Does nothing
     * where the OS offers no way to ({@code madvise}) and for tensors another reader mapped ({@link #of}).
     */
    public void release(String tensorName) {
        release(tensorName, 0, tensor(tensorName).data().byteSize());
    }

    /** {@link #release(String)} for bytes {@code [from, from + length)} of the tensor's data. */
    public void release(String tensorName, long from, long length) {
        TensorView t = tensor(tensorName);
        SafetensorsFile f = byPath.get(fileOf.get(tensorName));
        if (f != null) {
            f.release(t, from, length);
        }
    }

    /** Merged {@code __metadata__} of all files. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** True if {@code base} is stored by a provider format (converted), not as a plain float weight. */
    public boolean isEncoded(String base) {
        return metadata.containsKey(StoredFormats.formatKey(base));
    }

    /**
     * The weight of linear layer {@code base}: a plain float {@code base.weight} (format
     * {@code f32}/{@code f16}/{@code bf16}), or an encoded weight whose format and parameters
     * come from the metadata and whose parts are the tensors {@code base.<part>}.
     */
    public StoredWeight linear(String base) {
        String format = metadata.get(StoredFormats.formatKey(base));
        if (format == null) {
            TensorView w = tensor(base + ".weight");
            if (!w.dtype().isFloat()) {
                throw new CheckpointException(fileOf(base + ".weight") + ": tensor '" + base + ".weight' is " + w.dtype()
                        + "; a linear weight is F32, F16 or BF16 (or encoded, with '" + StoredFormats.formatKey(base) + "' metadata)");
            }
            return StoredWeight.ofFloat(base, w);
        }
        String prefix = base + ".";
        Map<String, TensorView> parts = new LinkedHashMap<>();
        for (Map.Entry<String, TensorView> e : tensors.entrySet()) {
            String rest = e.getKey().startsWith(prefix) ? e.getKey().substring(prefix.length()) : null;
            if (rest != null && !rest.contains(".")) {
                parts.put(rest, e.getValue());
            }
        }
        if (parts.isEmpty()) {
            throw new CheckpointException(directory + ": weight '" + base + "' is recorded as " + format + " but has no tensors '"
                    + prefix + "*'");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        String metaPrefix = StoredFormats.metaPrefix(base);
        metadata.forEach((k, v) -> {
            if (k.startsWith(metaPrefix)) {
                meta.put(k.substring(metaPrefix.length()), v);
            }
        });
        return new StoredWeight(base, format, parts, meta);
    }

    /** Names of all tensors, sorted (for messages). */
    public Set<String> sortedNames() {
        return new TreeSet<>(tensors.keySet());
    }

    @Override
    public void close() {
        onClose.run();
    }
}
