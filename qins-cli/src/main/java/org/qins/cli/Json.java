package org.qins.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import org.qins.transformer.io.AtomicFiles;

/** Writes a report as pretty JSON, whole or not at all ({@link AtomicFiles}: a failed write leaves the old file). */
final class Json {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    static void write(Object value, Path file) {
        AtomicFiles.write(file, out -> JSON.writeValue(out, value));
    }
}
