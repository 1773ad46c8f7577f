package org.qins.transformer.model;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.checkpoint.StoredFormats;
import org.qins.transformer.config.ModelConfig;

/**
 * Checks that a checkpoint is the model its config describes, from the headers alone (no weight
 * is read, decoded or computed on): every tensor {@link ModelTensors} lists is there with the
 * config's shape and a float type, and nothing else is (but buffers the model ignores). The
 * converter's source is checked before anything is written, its output after, so a conversion
 * that succeeds gives a model that loads.
 */
public final class ModelCheck {

    private ModelCheck() {
    }

    /**
     * A float checkpoint a conversion may read: not converted already, every tensor present, float,
     * of the config's shape, and none the config's model does not read.
     */
    public static void requireConvertible(ModelConfig c, Checkpoint ckpt) {
        if (ckpt.metadata().containsKey(StoredFormats.CHECKPOINT_KEY)) {
            throw new CheckpointException(ckpt.directory() + " is already a converted checkpoint (format "
                    + ckpt.metadata().getOrDefault(StoredFormats.FORMAT_KEY, "?") + "); convert the float original");
        }
        requireFloats(c, ckpt);
        for (Map.Entry<String, long[]> e : ModelTensors.linearShapes(c).entrySet()) {
            requireFloat(ckpt, e.getKey() + ".weight", e.getValue(), "a linear weight");
        }
        requireNothingUnused(c, ckpt);
    }

    /**
     * A checkpoint the engine will load: float tensors as for a conversion, each linear weight either
     * float of the config's shape or encoded in a format {@code knownFormat} accepts, nothing unused.
     */
    public static void requireLoadable(ModelConfig c, Checkpoint ckpt, Predicate<String> knownFormat) {
        requireFloats(c, ckpt);
        for (Map.Entry<String, long[]> e : ModelTensors.linearShapes(c).entrySet()) {
            String base = e.getKey();
            if (ckpt.isEncoded(base)) {
                String format = ckpt.linear(base).format(); // also: its parts are there
                if (!knownFormat.test(format)) {
                    throw new CheckpointException(ckpt.directory() + ": weight '" + base + "' is stored as '" + format
                            + "', a format no provider on the classpath reads");
                }
            } else {
                requireFloat(ckpt, base + ".weight", e.getValue(), "a linear weight");
            }
        }
        requireNothingUnused(c, ckpt);
    }

    private static void requireFloats(ModelConfig c, Checkpoint ckpt) {
        for (Map.Entry<String, long[]> e : ModelTensors.floatShapes(c).entrySet()) {
            requireFloat(ckpt, e.getKey(), e.getValue(), "kept in float");
        }
    }

    private static void requireFloat(Checkpoint ckpt, String name, long[] shape, String role) {
        if (!ckpt.has(name)) {
            throw new CheckpointException(ckpt.directory() + ": no tensor '" + name + "', which config.json's model reads ("
                    + role + ", shape " + Arrays.toString(shape) + ")");
        }
        TensorView t = ckpt.tensor(name);
        if (!t.dtype().isFloat() || !Arrays.equals(t.shape(), shape)) {
            throw new CheckpointException(ckpt.fileOf(name) + ": tensor '" + name + "' is " + t.dtype() + Arrays.toString(t.shape())
                    + ", config.json's model reads it as a float tensor (F32, F16 or BF16) of shape " + Arrays.toString(shape));
        }
    }

    private static void requireNothingUnused(ModelConfig c, Checkpoint ckpt) {
        Set<String> unused = ModelTensors.unused(c, ckpt.tensorNames());
        if (!unused.isEmpty()) {
            throw new CheckpointException(ckpt.directory() + ": " + unused.size() + " tensor(s) that config.json's model does not"
                    + " use (" + c.layers() + " layers, tie_word_embeddings " + c.tieWordEmbeddings() + "): "
                    + unused.stream().limit(5).toList() + (unused.size() > 5 ? " ..." : ""));
        }
    }
}
