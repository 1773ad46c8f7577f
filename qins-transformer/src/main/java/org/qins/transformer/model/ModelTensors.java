package org.qins.transformer.model;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.LayerTensors;
import org.qins.transformer.arch.Projection;
import org.qins.transformer.config.ModelConfig;

/**
 * The checkpoint tensors a config's model reads, by name, from its architecture's description:
 * the float tensors (embedding, norms, biases) and the linear layers' base names (a float
 * {@code base.weight} or an encoded weight's parts {@code base.<part>}). What a checkpoint holds
 * beyond them means config and checkpoint disagree (e.g. fewer layers in the config), except
 * buffers transformers itself ignores.
 */
public final class ModelTensors {

    private ModelTensors() {
    }

    /** Embedding, norm and bias tensors. */
    public static List<String> floatTensors(ModelConfig c) {
        return List.copyOf(floatShapes(c).keySet());
    }

    /** Base names of the linear layers, the LM head included unless tied to the embedding. */
    public static List<String> linearBases(ModelConfig c) {
        return List.copyOf(linearShapes(c).keySet());
    }

    /** Embedding, norm and bias tensors with the shapes the config gives them, in checkpoint order. */
    public static Map<String, long[]> floatShapes(ModelConfig c) {
        Architecture a = c.architecture();
        LayerTensors names = a.layer();
        Map<String, long[]> out = new LinkedHashMap<>();
        out.put(a.embedding() + ".weight", new long[] {c.vocabSize(), c.hiddenSize()});
        for (int i = 0; i < c.layers(); i++) {
            out.put(a.inLayer(i, names.inputNorm()) + ".weight", new long[] {c.hiddenSize()});
            out.put(a.inLayer(i, names.postAttentionNorm()) + ".weight", new long[] {c.hiddenSize()});
            if (names.hasQkNorm()) {
                out.put(a.inLayer(i, names.qNorm()) + ".weight", new long[] {c.headDim()});
                out.put(a.inLayer(i, names.kNorm()) + ".weight", new long[] {c.headDim()});
            }
            for (Projection p : c.biases()) {
                List<String> tensors = names.tensors(p);
                int[] sizes = c.partSizes(p);
                for (int t = 0; t < tensors.size(); t++) {
                    out.put(a.inLayer(i, tensors.get(t)) + ".bias", new long[] {sizes[t]});
                }
            }
        }
        out.put(a.finalNorm() + ".weight", new long[] {c.hiddenSize()});
        return out;
    }

    /**
     * Base names of the linear layers with the {@code [out, in]} shape of their float weight, the LM
     * head included unless tied to the embedding.
     */
    public static Map<String, long[]> linearShapes(ModelConfig c) {
        Architecture a = c.architecture();
        Map<String, long[]> out = new LinkedHashMap<>();
        for (int i = 0; i < c.layers(); i++) {
            for (Projection p : Projection.values()) {
                List<String> tensors = a.layer().tensors(p);
                int[] sizes = c.partSizes(p);
                for (int t = 0; t < tensors.size(); t++) {
                    out.put(a.inLayer(i, tensors.get(t)), new long[] {sizes[t], c.inputSize(p)});
                }
            }
        }
        if (!c.tieWordEmbeddings()) {
            out.put(a.head(), new long[] {c.vocabSize(), c.hiddenSize()});
        }
        return out;
    }

    /** Tensors of {@code names} the model does not read, without the ignorable ones ({@link #isIgnorable}). */
    public static Set<String> unused(ModelConfig c, Set<String> names) {
        Set<String> used = new LinkedHashSet<>(floatTensors(c));
        Set<String> bases = new LinkedHashSet<>(linearBases(c));
        Set<String> out = new LinkedHashSet<>();
        for (String n : names) {
            int dot = n.lastIndexOf('.');
            boolean part = dot > 0 && bases.contains(n.substring(0, dot));
            if (!used.contains(n) && !part && !isIgnorable(c, n)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * Tensors the model may carry without using them: rotary {@code inv_freq} buffers (recomputed from
     * the config) and, with tied embeddings, a stored head weight (the embedding is the head).
     */
    public static boolean isIgnorable(ModelConfig c, String name) {
        return name.endsWith(".rotary_emb.inv_freq") || (c.tieWordEmbeddings() && name.equals(c.architecture().head() + ".weight"));
    }
}
