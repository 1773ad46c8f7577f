package org.qins.api;

/**
 * Builds {@link LinearLayer}s from stored weights, and (optionally) encodes float weights into
 * its own stored format. Registered in {@code META-INF/services/org.qins.api.LinearLayerProvider}.
 *
 * <p>Names are stable identifiers used on the command line ({@code --linear NAME}) and in
 * checkpoints: {@code fp32}, {@code qins}, {@code qins-legacy} are ours.
 */
public interface LinearLayerProvider {

    /** Stable, unique name. */
    String name();

    /** Used when nothing else decides: the highest priority provider supporting the format wins. */
    int priority();

    /** One line for {@code qins providers}. */
    String description();

    /** True if {@link #load} accepts weights stored in {@code storedFormat} (e.g. {@code f32}, {@code qins9}). */
    boolean supports(String storedFormat);

    /** Builds a layer from a stored weight whose format this provider {@linkplain #supports supports}. */
    LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context);

    /** True if {@link #encode} is implemented. */
    default boolean canEncode() {
        return false;
    }

    /**
     * Encodes a float weight ({@code spec}-shaped, any float dtype) into this provider's stored
     * format. The converter writes the returned parts as {@code name + "." + part}.
     */
    default StoredWeight encode(LayerSpec spec, TensorView weight, EncodeOptions options) {
        throw new UnsupportedOperationException("provider '" + name() + "' does not encode weights");
    }

    /**
     * Decodes a stored weight of a supported format back to float32 ({@code out x in}), so that
     * another provider can compute over it ("a float layer over QINS storage decodes at load").
     */
    default TensorView decode(LayerSpec spec, StoredWeight stored) {
        throw new UnsupportedOperationException("provider '" + name() + "' does not decode format " + stored.format());
    }
}
