package org.qins.api;

import java.lang.foreign.SegmentAllocator;
import java.util.List;

/**
 * A named way of storing a linear weight: how a float weight is encoded into stored parts and
 * metadata, and how stored parts decode back to float32. The name is recorded with every stored
 * weight and resolved with {@link #forName}, as Lucene resolves its codecs, so a checkpoint
 * decodes without guessing and a third party adds a format by putting a jar with a
 * {@code META-INF/services/org.qins.api.WeightFormat} entry on the classpath.
 *
 * <p>Formats encode and decode; computing over stored weights is a {@link LinearLayerProvider}'s
 * job, which declares the formats it reads.
 */
public interface WeightFormat {

    /** Stable, unique name recorded with each stored weight ({@code f32}, {@code qins9}, ...). */
    String name();

    /** One line for {@code qins providers}. */
    String description();

    /** The options {@link #encode} takes. */
    default List<OptionSpec> options() {
        return List.of();
    }

    /**
     * Encodes a float weight ({@code spec}-shaped, any float dtype) into this format. The
     * converter writes each part as the tensor {@code spec.name() + "." + part} and the
     * metadata next to it.
     */
    StoredWeight encode(LayerSpec spec, TensorView weight, Options options);

    /**
     * As {@link #encode(LayerSpec, TensorView, Options)}, with the stored parts' memory taken from
     * {@code memory}: the converter passes an arena that it closes once the parts are written, so that
     * its memory is bounded by the tensors in flight rather than by when a garbage collection frees them.
     * The default ignores {@code memory}.
     */
    default StoredWeight encode(LayerSpec spec, TensorView weight, Options options, SegmentAllocator memory) {
        return encode(spec, weight, options);
    }

    /** Decodes a weight stored in this format to float32, {@code out x in}. */
    TensorView decode(LayerSpec spec, StoredWeight stored);

    /**
     * As {@link #decode(LayerSpec, StoredWeight)}, the float32 copy allocated from {@code memory} (the model's
     * arena when a layer decodes at load). The default ignores {@code memory}.
     */
    default TensorView decode(LayerSpec spec, StoredWeight stored, SegmentAllocator memory) {
        return decode(spec, stored);
    }

    /**
     * Format-specific statistics of a weight stored in this format, for reports that show where
     * a layout's error goes ({@code qins report}): e.g. how many weights took a reserved code and
     * a histogram of the codes. Optional: the default describes nothing
     * ({@link WeightStatistics#none}); the relative error needs only {@link #decode}.
     */
    default WeightStatistics statistics(LayerSpec spec, StoredWeight stored) {
        return WeightStatistics.none(spec.parameters());
    }

    /** The format named {@code name} among those on the classpath, or an error that lists them. */
    static WeightFormat forName(String name) {
        return WeightFormats.onClasspath().forName(name);
    }
}
