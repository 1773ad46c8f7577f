package org.qins.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.qins.api.DType;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.SafetensorsWriter;

/** A copy of a fixture model with tensors retyped, dropped or added, or config fields changed: broken inputs for the CLI. */
final class ModelCopy {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path source;
    private final Set<String> dropped = new HashSet<>();
    private final Set<String> toI32 = new HashSet<>();
    private final Map<String, TensorView> extra = new LinkedHashMap<>();
    private Consumer<ObjectNode> config = c -> { };

    private ModelCopy(Path source) {
        this.source = source;
    }

    static ModelCopy of(Path fixture) {
        return new ModelCopy(fixture);
    }

    ModelCopy drop(String tensor) {
        dropped.add(tensor);
        return this;
    }

    /** The tensor's bytes kept, its dtype declared I32 (same size as F32). */
    ModelCopy asI32(String tensor) {
        toI32.add(tensor);
        return this;
    }

    ModelCopy extra(String name, float... values) {
        extra.put(name, TensorView.ofFloats(name, values, values.length));
        return this;
    }

    ModelCopy config(Consumer<ObjectNode> edit) {
        config = edit;
        return this;
    }

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
            config.accept(c);
            JSON.writeValue(dir.resolve("config.json").toFile(), c);
            try (Checkpoint ckpt = Checkpoint.open(source); SafetensorsWriter w = new SafetensorsWriter(dir.resolve(Checkpoint.SINGLE_FILE))) {
                for (String name : ckpt.tensorNames()) {
                    TensorView t = ckpt.tensor(name);
                    if (dropped.contains(name)) {
                        continue;
                    }
                    if (toI32.contains(name)) {
                        w.add(name, DType.I32, t.shape(), t.data());
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
