package org.qins.transformer.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qins.api.LayerSpec;
import org.qins.api.Parallel;
import org.qins.api.LinearLayer;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.checkpoint.FiniteCheck;
import org.qins.transformer.config.Architecture;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderSelector;

/**
 * Builds a {@link CausalLm} from a Hugging Face model directory. Linear layers (LM head
 * included) come from the selected provider; embeddings and norms are read as floats. The
 * checkpoint stays mapped until the model is closed, because float layers compute in place.
 */
public final class ModelLoader {

    private final LayerLoader loader;

    /** Layers come from {@code layers} (explicit provider, flag or priority; decode at load when needed). */
    public ModelLoader(LayerLoader layers) {
        this.loader = layers;
    }

    /**
     * Loads {@code modelDir} with the linear provider {@code linear} (null: flag and priorities) and
     * its options, computing on {@code parallel}.
     */
    public static CausalLm load(Path modelDir, ProviderSelector selector, String linear, Parallel parallel,
            Map<String, String> layerOptions) {
        return new ModelLoader(new LayerLoader(selector, linear, parallel, layerOptions)).load(modelDir);
    }

    public CausalLm load(Path modelDir) {
        ModelConfig config = ConfigLoader.load(modelDir);
        Checkpoint ckpt = Checkpoint.open(modelDir);
        try {
            return build(config, ckpt);
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    private CausalLm build(ModelConfig c, Checkpoint ckpt) {
        refuseUnused(c, ckpt);
        int hidden = c.hiddenSize();
        TensorView embed = floatTensor(ckpt, "model.embed_tokens.weight", c.vocabSize(), hidden);
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "model.layers." + i + ".";
            ConcatLinear qkv;
            ConcatLinear gateUp;
            if (c.architecture() == Architecture.PHI3) {
                // Fused weights go through one layer each: rows [q; k; v] and [gate; up].
                qkv = new ConcatLinear(List.of(linear(ckpt, p + "self_attn.qkv_proj", c.qkvDim(), hidden)));
                gateUp = new ConcatLinear(List.of(linear(ckpt, p + "mlp.gate_up_proj", 2 * c.intermediateSize(), hidden)));
            } else {
                qkv = new ConcatLinear(List.of(linear(ckpt, p + "self_attn.q_proj", c.qDim(), hidden),
                        linear(ckpt, p + "self_attn.k_proj", c.kvDim(), hidden),
                        linear(ckpt, p + "self_attn.v_proj", c.kvDim(), hidden)));
                gateUp = new ConcatLinear(List.of(linear(ckpt, p + "mlp.gate_proj", c.intermediateSize(), hidden),
                        linear(ckpt, p + "mlp.up_proj", c.intermediateSize(), hidden)));
            }
            layers.add(new DecoderLayer(i, c, norm(ckpt, p + "input_layernorm.weight", c),
                    norm(ckpt, p + "post_attention_layernorm.weight", c), qkv,
                    linear(ckpt, p + "self_attn.o_proj", hidden, c.qDim()), gateUp,
                    linear(ckpt, p + "mlp.down_proj", hidden, c.intermediateSize())));
        }
        // Tied: no lm_head.weight in the file; the head is the embedding, still through a provider's layer.
        // The head stays float unless the checkpoint stores it encoded, as the converter does.
        LayerSpec headSpec = new LayerSpec("lm_head", c.vocabSize(), hidden);
        LinearLayer head = loader.loadKeptFloat(headSpec,
                c.tieWordEmbeddings() ? StoredWeight.ofFloat("lm_head", embed) : finite(ckpt, ckpt.linear("lm_head")));
        return new CausalLm(c, embed, layers, norm(ckpt, "model.norm.weight", c), head, loader.parallel(), ckpt);
    }

    private LinearLayer linear(Checkpoint ckpt, String base, int out, int in) {
        return load(new LayerSpec(base, out, in), finite(ckpt, ckpt.linear(base)));
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

    private LinearLayer load(LayerSpec spec, StoredWeight stored) {
        return loader.load(spec, stored);
    }

    private static TensorView floatTensor(Checkpoint ckpt, String name, long... shape) {
        TensorView t = ckpt.tensor(name);
        if (!t.dtype().isFloat() || !java.util.Arrays.equals(t.shape(), shape)) {
            throw new CheckpointException(ckpt.fileOf(name) + ": tensor '" + name + "' is " + t.dtype()
                    + java.util.Arrays.toString(t.shape()) + ", expected a float tensor of shape " + java.util.Arrays.toString(shape));
        }
        FiniteCheck.requireFiniteWeights(t, ckpt.fileOf(name));
        return t;
    }

    private static RmsNorm norm(Checkpoint ckpt, String name, ModelConfig c) {
        return new RmsNorm(floatTensor(ckpt, name, c.hiddenSize()).toFloatArray(), c.rmsNormEps());
    }
}
