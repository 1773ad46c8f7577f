package org.qins.transformer.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
        Architecture a = c.architecture();
        LayerTensors names = a.layer();
        List<String> out = new ArrayList<>();
        out.add(a.embedding() + ".weight");
        for (int i = 0; i < c.layers(); i++) {
            out.add(a.inLayer(i, names.inputNorm()) + ".weight");
            out.add(a.inLayer(i, names.postAttentionNorm()) + ".weight");
            if (names.hasQkNorm()) {
                out.add(a.inLayer(i, names.qNorm()) + ".weight");
                out.add(a.inLayer(i, names.kNorm()) + ".weight");
            }
            for (Projection p : c.biases()) {
                for (String t : names.tensors(p)) {
                    out.add(a.inLayer(i, t) + ".bias");
                }
            }
        }
        out.add(a.finalNorm() + ".weight");
        return out;
    }

    /** Base names of the linear layers, the LM head included unless tied to the embedding. */
    public static List<String> linearBases(ModelConfig c) {
        Architecture a = c.architecture();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            for (Projection p : Projection.values()) {
                for (String t : a.layer().tensors(p)) {
                    out.add(a.inLayer(i, t));
                }
            }
        }
        if (!c.tieWordEmbeddings()) {
            out.add(a.head());
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
