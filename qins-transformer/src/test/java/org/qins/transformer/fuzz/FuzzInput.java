package org.qins.transformer.fuzz;

import java.util.LinkedHashMap;
import java.util.Map;

/** One execution's files, by name in the model directory. */
record FuzzInput(String origin, Map<String, byte[]> files) {

    FuzzInput {
        files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    static FuzzInput of(String origin, String file, byte[] content) {
        return new FuzzInput(origin, Map.of(file, content));
    }

    /** This input with {@code file} replaced. */
    FuzzInput with(String origin, String file, byte[] content) {
        Map<String, byte[]> m = new LinkedHashMap<>(files);
        m.put(file, content);
        return new FuzzInput(origin, m);
    }
}
