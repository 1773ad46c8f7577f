package org.qins.transformer.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.qins.api.DType;
import org.qins.api.TensorView;

/**
 * A copy of a fixture model with tensors dropped, retyped, changed or added, or config fields changed:
 * the broken inputs of the hardening tests (shared through this module's test-jar).
 */
public final class ModelCopy {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path source;
    private final Set<String> dropped = new HashSet<>();
    private final Set<String> toI32 = new HashSet<>();
    private final Map<String, Consumer<float[]>> edits = new LinkedHashMap<>();
    private final Map<String, TensorView> extra = new LinkedHashMap<>();
    private final List<Consumer<ObjectNode>> config = new ArrayList<>();

    private ModelCopy(Path source) {
        this.source = source;
    }

    public static ModelCopy of(Path fixture) {
        return new ModelCopy(fixture);
    }

    public ModelCopy drop(String tensor) {
        dropped.add(tensor);
        return this;
    }

    /** The tensor's bytes kept, its dtype declared I32 (same size as F32). */
    public ModelCopy asI32(String tensor) {
        toI32.add(tensor);
        return this;
    }

    /** Changes the values of a float tensor (written back as F32). */
    public ModelCopy edit(String tensor, Consumer<float[]> edit) {
        edits.put(tensor, edit);
        return this;
    }

    /** Sets one element of a float tensor. */
    public ModelCopy set(String tensor, int index, float value) {
        return edit(tensor, v -> v[index] = value);
    }

    public ModelCopy extra(String name, float... values) {
        extra.put(name, TensorView.ofFloats(name, values, values.length));
        return this;
    }

    public ModelCopy config(Consumer<ObjectNode> edit) {
        config.add(edit);
        return this;
    }

    public ModelCopy config(String key, Object value) {
        return config(c -> c.set(key, JSON.valueToTree(value)));
    }

    /** Writes the model into {@code dir} (created) and returns it. */
    public Path writeTo(Path dir) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(source)) {
                for (Path p : files.toList()) {
                    if (!p.getFileName().toString().endsWith(".safetensors")) {
                        Files.copy(p, dir.resolve(p.getFileName()));
                    }
                }
            }
            ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
            config.forEach(edit -> edit.accept(c));
            JSON.writeValue(dir.resolve("config.json").toFile(), c);
            try (Checkpoint ckpt = Checkpoint.open(source); SafetensorsWriter w = new SafetensorsWriter(dir.resolve(Checkpoint.SINGLE_FILE))) {
                for (String name : ckpt.tensorNames()) {
                    TensorView t = ckpt.tensor(name);
                    Consumer<float[]> e = edits.get(name);
                    if (dropped.contains(name)) {
                        continue;
                    }
                    if (toI32.contains(name)) {
                        w.add(name, DType.I32, t.shape(), t.data());
                    } else if (e != null) {
                        float[] v = t.toFloatArray();
                        e.accept(v);
                        w.add(name, TensorView.ofFloats(name, v, t.shape()));
                    } else {
                        w.add(name, t);
                    }
                }
                extra.forEach(w::add);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
