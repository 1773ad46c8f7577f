package org.qins.transformer.gguf;

/** The types of GGUF metadata values, by their id in the file. */
enum GgufValueType {
    UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1), STRING(-1), ARRAY(-1), UINT64(8),
    INT64(8), FLOAT64(8);

    /** Bytes of one value; -1 for the variable-length string and array. */
    final int size;

    GgufValueType(int size) {
        this.size = size;
    }

    /** The type with id {@code id}, or null. */
    static GgufValueType of(long id) {
        return id >= 0 && id < values().length ? values()[(int) id] : null;
    }

    boolean isInteger() {
        return this != FLOAT32 && this != FLOAT64 && this != BOOL && size > 0;
    }
}
