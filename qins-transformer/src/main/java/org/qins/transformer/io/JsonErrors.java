package org.qins.transformer.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.IOException;

/** Jackson's read errors said plainly, for messages that already name the file: the problem and where, no parser internals. */
public final class JsonErrors {

    private JsonErrors() {
    }

    /** What went wrong reading a JSON file: "not valid JSON: ... at line L, column C", or the I/O problem. */
    public static String describe(IOException e) {
        if (e instanceof JsonProcessingException j) {
            JsonLocation at = j.getLocation();
            return "not valid JSON: " + oneLine(j.getOriginalMessage())
                    + (at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
        }
        if (e instanceof FileNotFoundException) { // java.io says "PATH (No such file or directory)" or "(Is a directory)"
            String m = String.valueOf(e.getMessage());
            int open = m.lastIndexOf('(');
            return open >= 0 && m.endsWith(")") ? m.substring(open + 1, m.length() - 1) : m;
        }
        return oneLine(String.valueOf(e.getMessage()));
    }

    /** What a file held instead of an object, for a message: "nothing (an empty file)", "ARRAY", ... */
    public static String kind(JsonNode n) {
        return n == null || n.isMissingNode() ? "nothing (an empty file)" : n.getNodeType().toString();
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }
}
