package org.qins.transformer.checkpoint;

/**
 * How a converted checkpoint records its encoded weights in the safetensors
 * {@code __metadata__}: for a linear weight {@code B} (e.g. {@code model.layers.0.mlp.down_proj})
 * stored by a provider, {@code "B.format"} names the stored format ({@code qins9}) and each
 * provider parameter {@code k} is {@code "B.meta.k"}; the parts are the tensors {@code B.<part>}.
 * A weight without {@code B.format} is a plain float tensor {@code B.weight}.
 */
public final class StoredFormats {

    /** Metadata key marking a converted checkpoint; the value is the converter's format version. */
    public static final String CHECKPOINT_KEY = "qins.checkpoint";
    /** Metadata key naming the weight format of the encoded weights. */
    public static final String FORMAT_KEY = "qins.format";
    /** Metadata key of checkpoints written before weight formats had names of their own: the encoding provider. */
    public static final String PROVIDER_KEY = "qins.provider";

    private StoredFormats() {
    }

    public static String formatKey(String base) {
        return base + ".format";
    }

    public static String metaPrefix(String base) {
        return base + ".meta.";
    }
}
