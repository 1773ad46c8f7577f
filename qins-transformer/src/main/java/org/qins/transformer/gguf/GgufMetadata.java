package org.qins.transformer.gguf;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.qins.transformer.config.UnsupportedModelException;

/** A GGUF file's key-value metadata with typed reads; every error names the file, the key and the rule. */
public final class GgufMetadata {

    private final Path file;
    private final Map<String, GgufValue> values;

    GgufMetadata(Path file, Map<String, GgufValue> values) {
        this.file = file;
        this.values = Map.copyOf(values);
    }

    public Path file() {
        return file;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    UnsupportedModelException error(String key, String rule) {
        return new UnsupportedModelException(file + ": metadata '" + key + "' " + rule);
    }

    private GgufValue require(String key, String expected) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw error(key, "is missing (" + expected + ")");
        }
        return v;
    }

    public String string(String key) {
        GgufValue v = require(key, "a string");
        if (!(v.value() instanceof String s)) {
            throw error(key, "must be a string, is " + v.describe());
        }
        return s;
    }

    public Optional<String> optionalString(String key) {
        return has(key) ? Optional.of(string(key)) : Optional.empty();
    }

    /** An integer of any integer type that fits in an int and is {@code >= min}. */
    public int integer(String key, int min) {
        GgufValue v = require(key, "an integer");
        if (!v.type().isInteger()) {
            throw error(key, "must be an integer, is " + v.describe());
        }
        long x = (Long) v.value();
        boolean unsignedHuge = v.type() == GgufValueType.UINT64 && x < 0;
        if (unsignedHuge || x < min || x > Integer.MAX_VALUE) {
            throw error(key, "must be an integer in [" + min + ", " + Integer.MAX_VALUE + "], is "
                    + (unsignedHuge ? Long.toUnsignedString(x) : Long.toString(x)));
        }
        return (int) x;
    }

    public Optional<Integer> optionalInteger(String key, int min) {
        return has(key) ? Optional.of(integer(key, min)) : Optional.empty();
    }

    /** A float32 or float64 number. */
    public double number(String key) {
        GgufValue v = require(key, "a number");
        if (!(v.value() instanceof Double d)) {
            throw error(key, "must be a FLOAT32 or FLOAT64, is " + v.describe());
        }
        return d;
    }

    public Optional<Double> optionalNumber(String key) {
        return has(key) ? Optional.of(number(key)) : Optional.empty();
    }

    public boolean bool(String key, boolean absent) {
        if (!has(key)) {
            return absent;
        }
        GgufValue v = values.get(key);
        if (!(v.value() instanceof Boolean b)) {
            throw error(key, "must be a BOOL, is " + v.describe());
        }
        return b;
    }

    GgufArray array(String key, GgufValueType... elementTypes) {
        GgufValue v = require(key, "an array");
        if (!(v.value() instanceof GgufArray a) || (elementTypes.length > 0 && !List.of(elementTypes).contains(a.elementType()))) {
            throw error(key, "must be an array of " + List.of(elementTypes) + ", is " + v.describe());
        }
        return a;
    }

    /** A string array. */
    public List<String> strings(String key) {
        return array(key, GgufValueType.STRING).strings();
    }

    /** A float32 array read into floats. */
    public float[] floats(String key) {
        GgufArray a = array(key, GgufValueType.FLOAT32);
        float[] out = new float[Math.toIntExact(a.length())];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.number(i);
        }
        return out;
    }

    /** An array of 32-bit (or narrower) integers. */
    public int[] ints(String key) {
        GgufArray a = array(key, GgufValueType.INT32, GgufValueType.UINT32, GgufValueType.INT16, GgufValueType.UINT16,
                GgufValueType.INT8, GgufValueType.UINT8);
        int[] out = new int[Math.toIntExact(a.length())];
        for (int i = 0; i < out.length; i++) {
            long x = a.integer(i);
            if (x > Integer.MAX_VALUE) {
                throw error(key, "entry " + i + " is " + x + ", beyond an int");
            }
            out[i] = (int) x;
        }
        return out;
    }
}
