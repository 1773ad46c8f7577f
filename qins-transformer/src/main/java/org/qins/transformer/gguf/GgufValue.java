package org.qins.transformer.gguf;

/**
 * One metadata value: a {@code Long} for every integer type (uint64 keeps its bits), a {@code Double}
 * for both float types, a {@code Boolean}, a {@code String}, or a {@link GgufArray}.
 */
record GgufValue(GgufValueType type, Object value) {

    /** Reads a value of {@code type} for {@code key}. */
    static GgufValue read(GgufCursor c, GgufValueType type, String key) {
        String what = "metadata '" + key + "'";
        return new GgufValue(type, switch (type) {
            case UINT8 -> (long) c.u8(what);
            case INT8 -> (long) (byte) c.u8(what);
            case UINT16 -> (long) c.u16(what);
            case INT16 -> (long) (short) c.u16(what);
            case UINT32 -> c.u32(what);
            case INT32 -> (long) (int) c.u32(what);
            case UINT64, INT64 -> c.u64(what);
            case FLOAT32 -> (double) Float.intBitsToFloat((int) c.u32(what));
            case FLOAT64 -> Double.longBitsToDouble(c.u64(what));
            case BOOL -> bool(c, what);
            case STRING -> c.string(what, c.remaining());
            case ARRAY -> GgufArray.read(c, key);
        });
    }

    private static Boolean bool(GgufCursor c, String what) {
        long at = c.position();
        int b = c.u8(what);
        if (b > 1) {
            throw c.error(what + " at byte " + at + " is a bool holding " + b + " (must be 0 or 1)");
        }
        return b == 1;
    }

    /** For messages: the type, and the value unless it is long. */
    String describe() {
        String v = value instanceof GgufArray a ? a.describe() : String.valueOf(value);
        return type + " " + (v.length() > 60 ? v.substring(0, 60) + "..." : v);
    }
}
