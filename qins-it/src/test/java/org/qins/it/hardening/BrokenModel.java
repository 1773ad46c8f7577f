package org.qins.it.hardening;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.SafetensorsWriter;

/** A copy of a fixture model with some tensors' values, extra tensors or config fields changed. */
final class BrokenModel {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path source;
    private final Map<String, Consumer<float[]>> edits = new LinkedHashMap<>();
    private final Map<String, TensorView> extra = new LinkedHashMap<>();
    private final Map<String, Object> config = new LinkedHashMap<>();

    private BrokenModel(Path source) {
        this.source = source;
    }

    static BrokenModel of(Path fixture) {
        return new BrokenModel(fixture);
    }

    /** Changes the values of a float tensor (written back as F32). */
    BrokenModel edit(String tensor, Consumer<float[]> edit) {
        edits.put(tensor, edit);
        return this;
    }

    /** Sets one element of a float tensor. */
    BrokenModel set(String tensor, int index, float value) {
        return edit(tensor, v -> v[index] = value);
    }

    BrokenModel extra(String name, float... values) {
        extra.put(name, TensorView.ofFloats(name, values, values.length));
        return this;
    }

    BrokenModel config(String key, Object value) {
        config.put(key, value);
        return this;
    }

    /** Writes the model into {@code dir} (created) and returns it. */
    Path writeTo(Path dir) {
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
            config.forEach((k, v) -> c.set(k, JSON.valueToTree(v)));
            JSON.writeValue(dir.resolve("config.json").toFile(), c);
            try (Checkpoint ckpt = Checkpoint.open(source); SafetensorsWriter w = new SafetensorsWriter(dir.resolve(Checkpoint.SINGLE_FILE))) {
                for (String name : ckpt.tensorNames()) {
                    TensorView t = ckpt.tensor(name);
                    Consumer<float[]> e = edits.get(name);
                    if (e == null) {
                        w.add(name, t);
                    } else {
                        float[] v = t.toFloatArray();
                        e.accept(v);
                        w.add(name, TensorView.ofFloats(name, v, t.shape()));
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
