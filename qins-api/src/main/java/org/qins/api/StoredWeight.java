package org.qins.api;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One linear layer's weight as it is stored in a checkpoint: a format name and the named
 * tensors that make it up. A float checkpoint stores one part, {@code "weight"}, with format
 * {@code f32}, {@code f16} or {@code bf16}; a QINS checkpoint stores codes, signs and ranges
 * under a format such as {@code qins9}, with its parameters in {@code metadata}.
 *
 * @param name     the layer's base name, e.g. {@code model.layers.0.self_attn.q_proj}
 * @param format   the stored format, matched by {@link WeightFormat} name, resolved with {@link WeightFormat#forName}
 * @param parts    the stored tensors, keyed by part name (the checkpoint key is {@code name + "." + part})
 * @param metadata format parameters recorded in the checkpoint (layout version, group size, policy)
 */
public record StoredWeight(String name, String format, Map<String, TensorView> parts, Map<String, String> metadata) {

    /** Part name of a plain float weight. */
    public static final String WEIGHT = "weight";

    public StoredWeight {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(format, "format");
        parts = Map.copyOf(parts);
        metadata = Map.copyOf(metadata);
    }

    /** A plain float weight: format is the dtype's lower-case name. */
    public static StoredWeight ofFloat(String name, TensorView weight) {
        if (!weight.dtype().isFloat()) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' is " + weight.dtype() + ", not a float type");
        }
        return new StoredWeight(name, floatFormat(weight.dtype()), Map.of(WEIGHT, weight), Map.of());
    }

    /** The stored-format name of a float dtype ({@code f32}, {@code f16}, {@code bf16}). */
    public static String floatFormat(DType dtype) {
        return dtype.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** True when this is a plain float weight. */
    public boolean isFloat() {
        return format.equals("f32") || format.equals("f16") || format.equals("bf16");
    }

    /** A part by name, or an error that names the weight and the parts it has. */
    public TensorView part(String part) {
        TensorView t = parts.get(part);
        if (t == null) {
            throw new IllegalArgumentException("weight '" + name + "' (format " + format + ") has no part '" + part
                    + "'; it has " + new TreeMap<>(parts).keySet());
        }
        return t;
    }

    /** A metadata value, or an error that names the weight and the key. */
    public String meta(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalArgumentException("weight '" + name + "' (format " + format + ") lacks metadata '" + key + "'");
        }
        return v;
    }

    /** Total bytes of all parts. */
    public long byteSize() {
        return parts.values().stream().mapToLong(t -> t.data().byteSize()).sum();
    }
}
