package org.qins.transformer.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Parallel;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.ArchitectureRegistry;
import org.qins.transformer.arch.LayerTensors;
import org.qins.transformer.arch.Projection;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.checkpoint.FiniteCheck;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderSelector;
import org.qins.transformer.source.ModelSource;

/**
 * Builds a {@link CausalLm} from a Hugging Face model directory, by the tensor names its
 * {@link Architecture} gives. Linear layers (LM head included) come from the selected provider;
 * embeddings, norms and biases are read as floats. The checkpoint stays mapped until the model is
 * closed, because float layers compute in place.
 */
public final class ModelLoader {

    private final LayerLoader loader;
    private final ArchitectureRegistry architectures;

    /** Layers come from {@code layers} (explicit provider, flag or priority; decode at load when needed). */
    public ModelLoader(LayerLoader layers) {
        this(layers, ArchitectureRegistry.standard());
    }

    public ModelLoader(LayerLoader layers, ArchitectureRegistry architectures) {
        this.loader = layers;
        this.architectures = architectures;
    }

    /**
     * Loads {@code modelDir} with the linear provider {@code linear} (null: flag and priorities) and
     * its options, computing on {@code parallel}.
     */
    public static CausalLm load(Path modelDir, ProviderSelector selector, String linear, Parallel parallel,
            Map<String, String> layerOptions) {
        return new ModelLoader(new LayerLoader(selector, linear, parallel, layerOptions)).load(modelDir);
    }

    /** Loads a model directory or a GGUF file ({@link ModelSource}). */
    public CausalLm load(Path modelDir) {
        ModelSource source = ModelSource.of(modelDir);
        ModelConfig config = source.config(architectures);
        Checkpoint ckpt = source.openCheckpoint(config);
        try {
            return build(config, ckpt);
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    private CausalLm build(ModelConfig c, Checkpoint ckpt) {
        refuseUnused(c, ckpt);
        Architecture arch = c.architecture();
        int hidden = c.hiddenSize();
        TensorView embed = floatTensor(ckpt, arch.embedding() + ".weight", c.vocabSize(), hidden);
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(layer(ckpt, c, i));
        }
        // Tied: no lm_head.weight in the file; the head is the embedding, still through a provider's layer.
        // The head stays float unless the checkpoint stores it encoded, as the converter does.
        LayerSpec headSpec = new LayerSpec(arch.head(), c.vocabSize(), hidden);
        LinearLayer head = loader.loadKeptFloat(headSpec,
                c.tieWordEmbeddings() ? StoredWeight.ofFloat(arch.head(), embed) : finite(ckpt, ckpt.linear(arch.head())));
        return new CausalLm(c, embed, layers, norm(ckpt, arch.finalNorm(), hidden, c), head, loader.parallel(), ckpt);
    }

    /** {@code stored} once its float parts are known finite and in range (no NaN, infinity or near-overflow value). */
    private static StoredWeight finite(Checkpoint ckpt, StoredWeight stored) {
        stored.parts().forEach((part, t) -> FiniteCheck.requireFiniteWeights(t, ckpt.fileOf(stored.name() + "." + part)));
        return stored;
    }

    /** A checkpoint with tensors the config does not use (e.g. more layers) is not the model the config describes. */
    private static void refuseUnused(ModelConfig c, Checkpoint ckpt) {
        List<String> ignored = ckpt.tensorNames().stream().filter(n -> ModelTensors.isIgnorable(c, n)).toList();
        if (!ignored.isEmpty()) {
            System.getLogger("org.qins.model").log(System.Logger.Level.WARNING, ckpt.directory() + ": ignoring " + ignored.size()
                    + " tensor(s) the model recomputes or ties: " + ignored.stream().limit(3).toList());
        }
        Set<String> unused = ModelTensors.unused(c, ckpt.tensorNames());
        if (!unused.isEmpty()) {
            throw new CheckpointException(ckpt.directory() + ": " + unused.size() + " tensor(s) that config.json's model does not"
                    + " use (" + c.layers() + " layers, tie_word_embeddings " + c.tieWordEmbeddings() + "): "
                    + unused.stream().limit(5).toList() + (unused.size() > 5 ? " ..." : ""));
        }
    }

    private DecoderLayer layer(Checkpoint ckpt, ModelConfig c, int i) {
        Architecture arch = c.architecture();
        LayerTensors names = arch.layer();
        HeadNorms headNorms = names.hasQkNorm()
                ? new HeadNorms(norm(ckpt, arch.inLayer(i, names.qNorm()), c.headDim(), c),
                        norm(ckpt, arch.inLayer(i, names.kNorm()), c.headDim(), c), c.heads(), c.kvHeads(), c.headDim())
                : null;
        return new DecoderLayer(i, c, norm(ckpt, arch.inLayer(i, names.inputNorm()), c.hiddenSize(), c),
                norm(ckpt, arch.inLayer(i, names.postAttentionNorm()), c.hiddenSize(), c), projection(ckpt, c, i, Projection.QKV),
                headNorms, projection(ckpt, c, i, Projection.O), projection(ckpt, c, i, Projection.GATE_UP),
                projection(ckpt, c, i, Projection.DOWN));
    }

    /** A projection's stored tensors side by side (fused: one), with their biases when the model has them. */
    private ConcatLinear projection(Checkpoint ckpt, ModelConfig c, int i, Projection p) {
        List<String> tensors = c.architecture().layer().tensors(p);
        int[] sizes = c.partSizes(p);
        boolean biased = c.biases().contains(p);
        List<LinearLayer> parts = new ArrayList<>();
        float[] bias = biased ? new float[Arrays.stream(sizes).sum()] : null;
        int col = 0;
        for (int t = 0; t < tensors.size(); t++) {
            String base = c.architecture().inLayer(i, tensors.get(t));
            parts.add(loader.load(new LayerSpec(base, sizes[t], c.inputSize(p)), finite(ckpt, ckpt.linear(base))));
            if (biased) {
                float[] b = floatTensor(ckpt, base + ".bias", sizes[t]).toFloatArray();
                System.arraycopy(b, 0, bias, col, b.length);
            }
            col += sizes[t];
        }
        return new ConcatLinear(parts, bias);
    }

    private static TensorView floatTensor(Checkpoint ckpt, String name, long... shape) {
        TensorView t = ckpt.tensor(name);
        if (!t.dtype().isFloat() || !Arrays.equals(t.shape(), shape)) {
            throw new CheckpointException(ckpt.fileOf(name) + ": tensor '" + name + "' is " + t.dtype()
                    + Arrays.toString(t.shape()) + ", expected a float tensor of shape " + Arrays.toString(shape));
        }
        FiniteCheck.requireFiniteWeights(t, ckpt.fileOf(name));
        return t;
    }

    private static RmsNorm norm(Checkpoint ckpt, String base, int size, ModelConfig c) {
        return new RmsNorm(floatTensor(ckpt, base + ".weight", size).toFloatArray(), c.rmsNormEps());
    }
}
