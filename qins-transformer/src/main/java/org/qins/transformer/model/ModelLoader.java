package org.qins.transformer.model;

import java.lang.foreign.Arena;
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
import org.qins.transformer.memory.MemoryBudget;
import org.qins.transformer.memory.MemoryNeed;
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
    private final MemoryBudget budget;

    /** Layers come from {@code layers} (explicit provider, flag or priority; decode at load when needed). */
    public ModelLoader(LayerLoader layers) {
        this(layers, ArchitectureRegistry.standard());
    }

    public ModelLoader(LayerLoader layers, ArchitectureRegistry architectures) {
        this(layers, architectures, MemoryBudget.system());
    }

    /** A loader that checks each model's {@linkplain #plan memory plan} against {@code budget} before loading it. */
    public ModelLoader(LayerLoader layers, ArchitectureRegistry architectures, MemoryBudget budget) {
        this.loader = layers;
        this.architectures = architectures;
        this.budget = budget;
    }

    /**
     * Loads {@code modelDir} with the linear provider {@code linear} (null: flag and priorities) and
     * its options, computing on {@code parallel}.
     */
    public static CausalLm load(Path modelDir, ProviderSelector selector, String linear, Parallel parallel,
            Map<String, String> layerOptions) {
        return new ModelLoader(new LayerLoader(selector, linear, parallel, layerOptions)).load(modelDir);
    }

    /**
     * Loads a model directory or a GGUF file ({@link ModelSource}): its memory plan is checked first (refused with the
     * numbers when it does not fit), then the layers are built, allocating what they keep from an arena the model frees
     * when it is closed.
     */
    public CausalLm load(Path modelDir) {
        ModelSource source = ModelSource.of(modelDir);
        ModelConfig config = source.config(architectures);
        Checkpoint ckpt = source.openCheckpoint(config);
        Arena arena = null;
        try {
            refuseUnused(config, ckpt);
            LoadPlan plan = plan(config, ckpt, modelDir);
            budget.require(plan.need());
            arena = Arena.ofShared();
            return build(config, ckpt, loader.using(arena), arena, plan);
        } catch (RuntimeException | Error e) {
            if (arena != null) {
                arena.close();
            }
            ckpt.close();
            throw e;
        }
    }

    /**
     * What loading will take, nothing allocated: per linear weight, the bytes its provider allocates (a float32 copy,
     * codes encoded at load) or, for a layer that computes on the stored parts where they lie, the mapped bytes it
     * reads at every token.
     *
     * @param need       the memory, by part
     * @param mapped     bytes of mapped weights read in place
     * @param copied     tensors whose layers copied them (their source pages are released after loading)
     */
    public record LoadPlan(MemoryNeed need, long mapped, Set<String> copied) {
    }

    /** Bytes of the activations of a forward call of {@code rows} rows of a model of {@code config} (an upper bound). */
    public static long activationBytes(ModelConfig config, int rows) {
        int largest = Math.max(Math.max(config.qkvDim(), config.hiddenSize()), 2 * config.intermediateSize());
        return Workspace.bytes(config, largest, rows);
    }

    /** The memory plan of loading {@code modelDir} with this loader's provider and options. */
    public LoadPlan plan(Path modelDir) {
        ModelSource source = ModelSource.of(modelDir);
        ModelConfig config = source.config(architectures);
        try (Checkpoint ckpt = source.openCheckpoint(config)) {
            return plan(config, ckpt, modelDir);
        }
    }

    private LoadPlan plan(ModelConfig c, Checkpoint ckpt, Path modelDir) {
        Architecture arch = c.architecture();
        long allocated = 0;
        long mapped = 0;
        java.util.Set<String> copied = new java.util.HashSet<>();
        java.util.Set<String> providers = new java.util.TreeSet<>();
        for (int i = 0; i < c.layers(); i++) {
            for (Projection p : Projection.values()) {
                List<String> tensors = arch.layer().tensors(p);
                int[] sizes = c.partSizes(p);
                for (int t = 0; t < tensors.size(); t++) {
                    String base = arch.inLayer(i, tensors.get(t));
                    StoredWeight stored = ckpt.linear(base);
                    LayerSpec spec = new LayerSpec(base, sizes[t], c.inputSize(p));
                    long a = loader.allocatedBytes(spec, stored);
                    providers.add(loader.providerFor(spec, stored).name());
                    allocated += a;
                    if (a == 0 && loader.weightsInMemory()) {
                        a = stored.byteSize(); // copied into memory instead of read in place (--no-mmap)
                        allocated += a;
                    }
                    if (a > 0) {
                        stored.parts().values().forEach(v -> copied.add(v.name()));
                    } else {
                        mapped += stored.byteSize();
                    }
                }
            }
        }
        LayerSpec headSpec = new LayerSpec(arch.head(), c.vocabSize(), c.hiddenSize());
        StoredWeight head = c.tieWordEmbeddings() ? StoredWeight.ofFloat(arch.head(), ckpt.tensor(arch.embedding() + ".weight"))
                : ckpt.linear(arch.head());
        long a = loader.keptFloatAllocatedBytes(headSpec, head);
        allocated += a;
        if (a == 0 && loader.weightsInMemory()) {
            allocated += head.byteSize(); // copied into memory (--no-mmap); a tied head's embedding stays mapped too
            if (!c.tieWordEmbeddings()) {
                head.parts().values().forEach(v -> copied.add(v.name()));
            }
        } else if (a == 0) {
            mapped += head.byteSize();
        }
        MemoryNeed need = MemoryNeed.of("loading " + modelDir + " with " + String.join(", ", providers))
                .plus("allocated at load (float copies, codes)", allocated, false)
                .plus("mapped weights read in place", mapped, false);
        return new LoadPlan(need, mapped, java.util.Set.copyOf(copied));
    }

    private CausalLm build(ModelConfig c, Checkpoint ckpt, LayerLoader loader, Arena arena, LoadPlan plan) {
        Architecture arch = c.architecture();
        int hidden = c.hiddenSize();
        TensorView embed = floatTensor(ckpt, arch.embedding() + ".weight", c.vocabSize(), hidden);
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(layer(loader, ckpt, c, i));
        }
        // Tied: no lm_head.weight in the file; the head is the embedding, still through a provider's layer.
        // The head stays float unless the checkpoint stores it encoded, as the converter does.
        LayerSpec headSpec = new LayerSpec(arch.head(), c.vocabSize(), hidden);
        LinearLayer head = loader.loadKeptFloat(headSpec,
                c.tieWordEmbeddings() ? StoredWeight.ofFloat(arch.head(), embed) : finite(ckpt, ckpt.linear(arch.head())));
        // Layers that copied their weights no longer read the mapped source: its pages leave the resident set.
        for (String tensor : plan.copied()) {
            ckpt.release(tensor);
        }
        return new CausalLm(c, embed, layers, norm(ckpt, arch.finalNorm(), hidden, c), head, loader.parallel(), ckpt, arena,
                plan.mapped(), budget);
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

    private DecoderLayer layer(LayerLoader loader, Checkpoint ckpt, ModelConfig c, int i) {
        Architecture arch = c.architecture();
        LayerTensors names = arch.layer();
        HeadNorms headNorms = names.hasQkNorm()
                ? new HeadNorms(norm(ckpt, arch.inLayer(i, names.qNorm()), c.headDim(), c),
                        norm(ckpt, arch.inLayer(i, names.kNorm()), c.headDim(), c), c.heads(), c.kvHeads(), c.headDim())
                : null;
        return new DecoderLayer(i, c, norm(ckpt, arch.inLayer(i, names.inputNorm()), c.hiddenSize(), c),
                norm(ckpt, arch.inLayer(i, names.postAttentionNorm()), c.hiddenSize(), c), projection(loader, ckpt, c, i, Projection.QKV),
                headNorms, projection(loader, ckpt, c, i, Projection.O), projection(loader, ckpt, c, i, Projection.GATE_UP),
                projection(loader, ckpt, c, i, Projection.DOWN));
    }

    /** A projection's stored tensors side by side (fused: one), with their biases when the model has them. */
    private ConcatLinear projection(LayerLoader loader, Checkpoint ckpt, ModelConfig c, int i, Projection p) {
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
