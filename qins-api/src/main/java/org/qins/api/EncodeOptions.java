package org.qins.api;

import java.util.Map;

/**
 * Options for {@link LinearLayerProvider#encode}: free-form {@code key=value} pairs such as
 * {@code layout=qins9}, {@code group=32}, {@code policy=clipped}. A provider documents the keys it
 * reads and rejects values it cannot honour.
 */
public record EncodeOptions(Map<String, String> values) {

    public EncodeOptions {
        values = Map.copyOf(values);
    }

    public static EncodeOptions defaults() {
        return new EncodeOptions(Map.of());
    }

    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }
}
