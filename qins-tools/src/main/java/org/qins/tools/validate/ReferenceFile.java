package org.qins.tools.validate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.qins.transformer.io.JsonErrors;

/** Reads an {@code llm-ref/1} file (a reference.json or a candidate written by {@link CandidateWriter}). */
public final class ReferenceFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceFile() {
    }

    public static LlmRef read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + JsonErrors.describe(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": must hold an llm-ref/1 JSON object, got " + JsonErrors.kind(root));
        }
        if (!LlmRef.FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(file + ": format is '" + root.path("format").asText() + "', expected '"
                    + LlmRef.FORMAT + "'");
        }
        List<PromptRecord> prompts = new ArrayList<>();
        for (JsonNode p : root.path("prompts")) {
            JsonNode g = p.path("greedy");
            JsonNode tf = p.path("teacher_forced");
            prompts.add(new PromptRecord(ints(p.path("prompt")), ints(g.path("tokens")), rows(g.path("steps")),
                    ints(tf.path("tokens")), rows(tf.path("positions"))));
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException(file + ": no prompts");
        }
        ExactRows exact = null;
        JsonNode e = root.path("exact");
        if (e.isObject()) {
            JsonNode rows = e.path("logits");
            float[][] logits = new float[rows.size()][];
            for (int r = 0; r < logits.length; r++) {
                JsonNode row = rows.get(r);
                logits[r] = new float[row.size()];
                for (int i = 0; i < logits[r].length; i++) {
                    logits[r][i] = (float) row.get(i).asDouble();
                }
            }
            exact = new ExactRows(e.path("prompt_index").asInt(), e.path("section").asText("teacher_forced"),
                    ints(e.path("positions")), logits);
        }
        return new LlmRef(map(root.path("source")), map(root.path("model")), root.path("n_steps").asInt(), root.path("top_k").asInt(), root.path("logit_decimals").asInt(5), prompts, exact);
    }

    private static Map<String, Object> map(JsonNode n) {
        return n.isObject() ? JSON.convertValue(n, new TypeReference<Map<String, Object>>() { }) : Map.of();
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    private static List<LogitRow> rows(JsonNode a) {
        List<LogitRow> out = new ArrayList<>(a.size());
        for (JsonNode p : a) {
            JsonNode top = p.path("top");
            int[] ids = new int[top.size()];
            double[] logits = new double[top.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = top.get(i).get(0).asInt();
                logits[i] = top.get(i).get(1).asDouble();
            }
            out.add(new LogitRow(ids, logits, p.path("lse").asDouble()));
        }
        return out;
    }
}
