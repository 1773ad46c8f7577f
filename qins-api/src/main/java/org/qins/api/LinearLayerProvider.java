package org.qins.api;

import java.util.List;
import java.util.Set;

/**
 * Builds {@link LinearLayer}s that compute over stored weights. Registered in
 * {@code META-INF/services/org.qins.api.LinearLayerProvider} (or bound in a Guice module).
 * A provider computes only: storing and decoding weights is a {@link WeightFormat}'s job, and
 * a provider declares the formats it reads.
 *
 * <p>Names are stable identifiers used on the command line ({@code --linear NAME}):
 * {@code fp32}, {@code qins}, {@code qins-legacy} are ours.
 */
public interface LinearLayerProvider {

    /** Stable, unique name. */
    String name();

    /** Used when nothing else decides: the highest priority provider reading the format wins. */
    int priority();

    /** One line for {@code qins providers} and for the log line that names the chosen provider. */
    String description();

    /** The stored formats {@link #load} reads ({@link WeightFormat} names). */
    Set<String> formats();

    /** True if {@link #load} reads weights stored in {@code storedFormat}. */
    default boolean supports(String storedFormat) {
        return formats().contains(storedFormat);
    }

    /** The format a conversion for this provider writes when none is named, or null if it has none. */
    default String preferredFormat() {
        return null;
    }

    /** The options {@link #load} reads from {@link LayerContext#options()}. */
    default List<OptionSpec> options() {
        return List.of();
    }

    /** True for a provider kept only for comparison: choosing it logs a deprecation warning. */
    default boolean deprecated() {
        return false;
    }

    /**
     * Bytes {@link #load} will allocate for this weight besides its stored parts (which stay mapped): a float
     * copy, codes encoded at load. The engine adds these up over a model before loading it and refuses a model
     * that will not fit, with the numbers, instead of failing part-way; a provider that allocates nothing of
     * size keeps the default 0.
     */
    default long allocatedBytes(LayerSpec spec, StoredWeight stored, Options options) {
        return 0;
    }

    /** Builds a layer from a stored weight whose format this provider {@linkplain #supports reads}. */
    LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context);
}
