package org.qins.tools.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.qins.api.LayerSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;
import org.qins.api.WeightFormats;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.Projection;
import org.qins.transformer.checkpoint.Checkpoint;

/**
 * Measures every encoded linear weight of a converted checkpoint against its float source,
 * through the SPI only: the stored format (named with the weight) decodes it, and gives its own
 * statistics. One weight is decoded at a time, and compared in chunks, so memory stays at one
 * decoded weight.
 */
public final class TensorErrors {

    private static final int CHUNK = 1 << 16;

    private TensorErrors() {
    }

    /**
     * Every weight of {@code source} that {@code converted} stores encoded, by layer (in the
     * architecture's order within a layer), then the weights outside the layers.
     */
    public static List<TensorError> measure(Checkpoint source, Checkpoint converted, Architecture arch, WeightFormats formats) {
        List<String> encoded = encodedWeights(source, converted);
        if (encoded.isEmpty()) {
            throw new IllegalArgumentException(converted.directory() + " stores no linear weight of " + source.directory()
                    + " encoded: is it a converted copy of it?");
        }
        for (String name : converted.tensorNames()) {
            int dot = name.lastIndexOf('.');
            if (dot > 0 && converted.isEncoded(name.substring(0, dot)) && !source.has(name.substring(0, dot) + ".weight")) {
                throw new IllegalArgumentException(converted.fileOf(name) + ": encoded weight '" + name.substring(0, dot)
                        + "' has no float source '" + name.substring(0, dot) + ".weight' in " + source.directory());
            }
        }
        List<TensorError> out = new ArrayList<>();
        for (String base : encoded) {
            out.add(measure(base, source, converted, arch, formats));
        }
        out.sort(order(arch));
        return out;
    }

    /** The base names of the source's linear weights that {@code converted} stores encoded. */
    public static List<String> encodedWeights(Checkpoint source, Checkpoint converted) {
        List<String> out = new ArrayList<>();
        for (String name : source.tensorNames()) {
            if (name.endsWith(".weight")) {
                String base = name.substring(0, name.length() - ".weight".length());
                if (converted.isEncoded(base)) {
                    out.add(base);
                }
            }
        }
        return out;
    }

    static TensorError measure(String base, Checkpoint source, Checkpoint converted, Architecture arch, WeightFormats formats) {
        TensorView w = source.tensor(base + ".weight");
        if (w.rank() != 2 || !w.dtype().isFloat()) {
            throw new IllegalArgumentException(source.fileOf(base + ".weight") + ": tensor '" + base + ".weight' is " + w
                    + ", not a 2-D float weight");
        }
        LayerSpec spec = new LayerSpec(base, Math.toIntExact(w.dim(0)), Math.toIntExact(w.dim(1)));
        StoredWeight stored = converted.linear(base);
        WeightFormat format = formats.forName(stored.format());
        TensorView decoded = format.decode(spec, stored);
        if (!Arrays.equals(decoded.shape(), w.shape())) {
            throw new IllegalArgumentException(converted.directory() + ": weight '" + base + "' decodes to "
                    + Arrays.toString(decoded.shape()) + ", its source is " + Arrays.toString(w.shape()));
        }
        double err = 0;
        double norm = 0;
        long flushed = 0;
        float[] a = new float[CHUNK];
        float[] b = new float[CHUNK];
        long n = w.elementCount();
        for (long from = 0; from < n; from += CHUNK) {
            int len = (int) Math.min(CHUNK, n - from);
            w.copyFloats(from, a, 0, len);
            decoded.copyFloats(from, b, 0, len);
            for (int i = 0; i < len; i++) {
                double d = (double) b[i] - a[i];
                err += d * d;
                norm += (double) a[i] * a[i];
                flushed += a[i] != 0 && b[i] == 0 ? 1 : 0;
            }
        }
        String[] where = locate(base, arch);
        return new TensorError(base, where[0], where[1], spec.outFeatures(), spec.inFeatures(), stored.format(), stored.metadata(),
                stored.byteSize(), err, norm, flushed, format.statistics(spec, stored));
    }

    /** Layers by index, inside a layer the architecture's order (q, k, v, o, gate, up, down), then the rest by name. */
    static Comparator<TensorError> order(Architecture arch) {
        List<String> inLayer = new ArrayList<>();
        for (Projection p : Projection.values()) {
            inLayer.addAll(arch.layer().tensors(p));
        }
        return Comparator.<TensorError>comparingLong(t -> layerIndex(t.group()))
                .thenComparingInt(t -> {
                    int i = inLayer.indexOf(t.localName());
                    return i < 0 ? Integer.MAX_VALUE : i;
                })
                .thenComparing(TensorError::name);
    }

    /** The layer index of a group, or {@code Long.MAX_VALUE} for a weight outside the layers. */
    static long layerIndex(String group) {
        return !group.isEmpty() && group.length() < 10 && group.chars().allMatch(Character::isDigit) ? Long.parseLong(group)
                : Long.MAX_VALUE;
    }

    /** {layer index, name inside the layer} for a block weight; {name, name} for any other. */
    static String[] locate(String base, Architecture arch) {
        String prefix = arch.layerPrefix();
        if (base.startsWith(prefix)) {
            String rest = base.substring(prefix.length());
            int dot = rest.indexOf('.');
            if (dot > 0 && rest.substring(0, dot).chars().allMatch(Character::isDigit)) {
                return new String[] {rest.substring(0, dot), rest.substring(dot + 1)};
            }
        }
        return new String[] {base, base};
    }
}
