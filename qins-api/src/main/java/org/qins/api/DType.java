package org.qins.api;

import java.util.Locale;

/** Element types of stored tensors, named as in the safetensors header. */
public enum DType {
    F32(4), F16(2), BF16(2), I32(4), I16(2), I8(1), U8(1), F64(8), I64(8), BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** True for the three float storage types a float checkpoint may use. */
    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The safetensors spelling ({@code "F32"}, {@code "BF16"}, ...). */
    public String safetensorsName() {
        return name();
    }

    /** Parses a safetensors dtype name. */
    public static DType fromSafetensors(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "'");
        }
    }
}
