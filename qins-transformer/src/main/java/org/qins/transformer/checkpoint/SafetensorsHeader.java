package org.qins.transformer.checkpoint;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qins.api.DType;
import org.qins.api.TensorView;

/**
 * The JSON header of a safetensors file, checked against the format's rules: UTF-8, one JSON
 * object starting at the first byte and followed only by whitespace padding, unique keys, an
 * optional {@code __metadata__} of strings, and for every tensor a dtype spelled as the format
 * spells it, a shape of integers >= 0 and {@code data_offsets} of two integers whose span is
 * exactly dtype size x elements. Sorted by offset, the tensors must tile the data buffer: the
 * first starts at 0, each starts where the previous ended, the last ends at the buffer's end.
 * Every error names the file, the tensor where there is one, and the rule.
 */
final class SafetensorsHeader {

    /** One tensor's entry, offsets relative to the data buffer. */
    record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    /** The dtype names of the format (upper case) that the engine does not read. */
    private static final Set<String> OTHER_FORMAT_DTYPES = Set.of("U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4",
            "F6_E2M3", "F6_E3M2", "C64");
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    final List<Entry> entries;
    final Map<String, String> metadata;

    private SafetensorsHeader(List<Entry> entries, Map<String, String> metadata) {
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Parses {@code header} (the N bytes after the size field) for a data buffer of {@code dataLen} bytes. */
    static SafetensorsHeader parse(Path file, byte[] header, long dataLen) {
        String text = utf8(file, header);
        if (text.isEmpty() || text.charAt(0) != '{') {
            throw new CheckpointException(file + ": header must start with '{' (a JSON object); it starts with "
                    + (text.isEmpty() ? "nothing" : quote(text.charAt(0))));
        }
        JsonNode root = readObject(file, text);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals("__metadata__")) {
                readMetadata(file, e.getValue(), metadata);
            } else {
                entries.add(entry(file, e.getKey(), e.getValue()));
            }
        }
        checkTiling(file, entries, dataLen);
        return new SafetensorsHeader(entries, metadata);
    }

    private static String utf8(Path file, byte[] header) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file + ": header is not valid UTF-8 (" + e.getMessage() + ")", e);
        }
    }

    /** The header's one JSON object; what follows it inside the declared size may only be whitespace. */
    private static JsonNode readObject(Path file, String text) {
        try (JsonParser p = JSON.createParser(text)) {
            JsonNode root = JSON.readTree(p);
            int end = (int) p.currentLocation().getCharOffset();
            for (int i = end; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    throw new CheckpointException(file + ": the declared header size leaves " + (text.length() - end)
                            + " characters after the JSON object that are not whitespace padding (first " + quote(c)
                            + " at header offset " + i + "); the size field must equal the JSON's length plus spaces");
                }
            }
            return root;
        } catch (JsonParseException e) {
            String m = e.getOriginalMessage();
            if (m.startsWith("Duplicate")) {
                throw new CheckpointException(file + ": header has a duplicate key: " + m + " (tensor names and entry fields"
                        + " must be unique)", e);
            }
            throw new CheckpointException(file + ": header is not valid JSON: " + oneLine(e.getMessage()), e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": header is not valid JSON: " + oneLine(e.getMessage()), e);
        }
    }

    private static void readMetadata(Path file, JsonNode v, Map<String, String> out) {
        if (v.isNull()) {
            return;
        }
        if (!v.isObject()) {
            throw new CheckpointException(file + ": __metadata__ must be an object of strings, got " + v.getNodeType());
        }
        for (Map.Entry<String, JsonNode> m : v.properties()) {
            if (!m.getValue().isTextual()) {
                throw new CheckpointException(file + ": __metadata__ value of '" + m.getKey() + "' must be a string, got "
                        + m.getValue().getNodeType());
            }
            out.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static Entry entry(Path file, String name, JsonNode v) {
        String where = file + ": tensor '" + name + "'";
        if (!v.isObject()) {
            throw new CheckpointException(where + ": entry must be an object with dtype, shape and data_offsets, got "
                    + v.getNodeType());
        }
        DType dtype = dtype(where, v.get("dtype"));
        long[] shape = integers(where, "shape", v.get("shape"), -1);
        long[] offsets = integers(where, "data_offsets", v.get("data_offsets"), 2);
        if (offsets[1] < offsets[0]) {
            throw new CheckpointException(where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        long expected;
        try {
            expected = Math.multiplyExact(TensorView.elementCount(shape), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + ": shape " + Arrays.toString(shape) + " of " + dtype + " overflows 64-bit sizes");
        }
        if (offsets[1] - offsets[0] != expected) {
            throw new CheckpointException(where + ": " + dtype + Arrays.toString(shape) + " needs " + expected
                    + " bytes but data_offsets [" + offsets[0] + ", " + offsets[1] + "] span " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static DType dtype(String where, JsonNode d) {
        if (d == null || !d.isTextual()) {
            throw new CheckpointException(where + ": dtype must be a string such as \"F32\", got "
                    + (d == null ? "nothing" : d.getNodeType()));
        }
        String name = d.textValue();
        for (DType t : DType.values()) {
            if (t.safetensorsName().equals(name)) {
                return t;
            }
        }
        String supported = Arrays.stream(DType.values()).map(DType::safetensorsName).toList().toString();
        if (OTHER_FORMAT_DTYPES.contains(name)) {
            throw new CheckpointException(where + ": dtype " + name + " is not supported here (supported: " + supported + ")");
        }
        throw new CheckpointException(where + ": unknown dtype '" + name + "' (the format spells dtypes in upper case;"
                + " supported: " + supported + ")");
    }

    /** A JSON array of integers >= 0 ({@code count} of them, or any number when negative). */
    private static long[] integers(String where, String key, JsonNode a, int count) {
        String rule = count < 0 ? "a list of integers >= 0" : "a list of " + count + " integers >= 0";
        if (a == null || !a.isArray() || (count >= 0 && a.size() != count)) {
            throw new CheckpointException(where + ": " + key + " must be " + rule + ", got "
                    + (a == null ? "nothing" : a.isArray() ? a.size() + " entries" : a.getNodeType()));
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = a.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToLong() || x.longValue() < 0) {
                throw new CheckpointException(where + ": " + key + " must be " + rule + ", entry " + i + " is " + abbreviate(x));
            }
            out[i] = x.longValue();
        }
        return out;
    }

    /** Sorted by offset, the tensors must start at 0, follow each other without gap or overlap and end at the buffer's end. */
    private static void checkTiling(Path file, List<Entry> entries, long dataLen) {
        for (Entry e : entries) {
            if (e.end > dataLen) {
                throw new CheckpointException(file + ": tensor '" + e.name + "': data_offsets [" + e.begin + ", " + e.end
                        + "] run past the data buffer of " + dataLen + " bytes");
            }
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin < at) {
                throw new CheckpointException(file + ": tensor '" + e.name + "': data_offsets [" + e.begin + ", " + e.end
                        + "] overlap tensor '" + previous.name + "' [" + previous.begin + ", " + previous.end
                        + "] (tensors may not share bytes)");
            }
            if (e.begin > at) {
                throw new CheckpointException(file + ": tensor '" + e.name + "': data_offsets [" + e.begin + ", " + e.end
                        + "] leave a gap of " + (e.begin - at) + " bytes after " + (previous == null ? "the start of the data buffer"
                                : "tensor '" + previous.name + "' (ends at " + at + ")") + " (tensors must be contiguous)");
            }
            at = e.end;
            previous = e;
        }
        if (at != dataLen) {
            throw new CheckpointException(file + ": the data buffer has " + (dataLen - at) + " bytes after the last tensor's data"
                    + " (tensors cover [0, " + at + ") of " + dataLen + "); the header size or the offsets are wrong, or the file"
                    + " has trailing bytes");
        }
    }

    private static String abbreviate(JsonNode x) {
        String s = x.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static String quote(char c) {
        return c >= ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static String oneLine(String s) {
        String t = s == null ? "" : s.replaceAll("\\s+", " ");
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }
}
