package org.qins.transformer.gguf;

import java.util.Map;

/**
 * Tensor element types of GGUF ({@code ggml_type}). The engine reads F32, F16, BF16 and Q8_0; the
 * others are named so that refusing them says which type a tensor has.
 */
enum GgmlType {
    F32(0, 1, 4), F16(1, 1, 2), Q8_0(8, 32, 34), BF16(30, 1, 2);

    /** Ids and names of the types ggml defines that the engine does not read. */
    private static final Map<Integer, String> OTHERS = Map.ofEntries(Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"),
            Map.entry(6, "Q5_0"), Map.entry(7, "Q5_1"), Map.entry(9, "Q8_1"), Map.entry(10, "Q2_K"), Map.entry(11, "Q3_K"),
            Map.entry(12, "Q4_K"), Map.entry(13, "Q5_K"), Map.entry(14, "Q6_K"), Map.entry(15, "Q8_K"), Map.entry(16, "IQ2_XXS"),
            Map.entry(17, "IQ2_XS"), Map.entry(18, "IQ3_XXS"), Map.entry(19, "IQ1_S"), Map.entry(20, "IQ4_NL"),
            Map.entry(21, "IQ3_S"), Map.entry(22, "IQ2_S"), Map.entry(23, "IQ4_XS"), Map.entry(24, "I8"), Map.entry(25, "I16"),
            Map.entry(26, "I32"), Map.entry(27, "I64"), Map.entry(28, "F64"), Map.entry(29, "IQ1_M"), Map.entry(34, "TQ1_0"),
            Map.entry(35, "TQ2_0"), Map.entry(39, "MXFP4"));

    final int id;
    /** Elements per block (1 for the float types). */
    final int blockElements;
    /** Bytes per block. */
    final int blockBytes;

    GgmlType(int id, int blockElements, int blockBytes) {
        this.id = id;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    /** The readable type with id {@code id}, or null. */
    static GgmlType of(long id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }

    /** The name of any ggml type id, for messages. */
    static String nameOf(long id) {
        GgmlType t = of(id);
        return t != null ? t.name() : OTHERS.getOrDefault((int) Math.min(id, Integer.MAX_VALUE), "unknown type " + id);
    }

    /** Bytes of {@code elements} values (a whole number of blocks). */
    long bytes(long elements) {
        return Math.multiplyExact(elements / blockElements, (long) blockBytes);
    }
}
