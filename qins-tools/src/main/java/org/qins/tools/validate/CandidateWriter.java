package org.qins.tools.validate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.qins.transformer.io.AtomicFiles;

/**
 * Writes an {@code llm-ref/1} file. Top logits and lse are written to {@value #DECIMALS} decimals
 * (declared in the file's {@code logit_decimals}), i.e. at the precision we computed them: the KL
 * estimate derives the tail mass as {@code 1 - sum(top-k probabilities)}, and on peaked rows a
 * 5-decimal rounding of our own values alone moves that tail by more than its size. Exact rows
 * are written as the shortest decimal that reads back to the same float32.
 */
public final class CandidateWriter {

    /** Decimals of the candidate's top logits and lse. */
    public static final int DECIMALS = 9;

    private static final ObjectMapper JSON = new ObjectMapper();

    private CandidateWriter() {
    }

    /** Writes {@code file} whole or not at all ({@link AtomicFiles}): a failed run leaves an existing file as it was. */
    public static void write(LlmRef ref, Path file) {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = JSON.getFactory().createGenerator(out, com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
                write(ref, g);
            }
        });
    }

    private static void write(LlmRef ref, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("format", LlmRef.FORMAT);
        g.writeFieldName("source");
        JSON.writeValue(g, ref.source());
        g.writeFieldName("model");
        JSON.writeValue(g, ref.model());
        g.writeNumberField("n_steps", ref.nSteps());
        g.writeNumberField("top_k", ref.topK());
        g.writeNumberField("logit_decimals", DECIMALS);
        g.writeArrayFieldStart("prompts");
        for (PromptRecord p : ref.prompts()) {
            g.writeStartObject();
            g.writeFieldName("prompt");
            g.writeArray(p.prompt(), 0, p.prompt().length);
            g.writeObjectFieldStart("greedy");
            g.writeFieldName("tokens");
            g.writeArray(p.greedyTokens(), 0, p.greedyTokens().length);
            rows(g, "steps", p.greedySteps(), DECIMALS);
            g.writeEndObject();
            g.writeObjectFieldStart("teacher_forced");
            g.writeFieldName("tokens");
            g.writeArray(p.teacherTokens(), 0, p.teacherTokens().length);
            rows(g, "positions", p.teacherRows(), DECIMALS);
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
        if (ref.exact() != null) {
            ExactRows e = ref.exact();
            g.writeObjectFieldStart("exact");
            g.writeNumberField("prompt_index", e.promptIndex());
            g.writeStringField("section", e.section());
            g.writeFieldName("positions");
            g.writeArray(e.positions(), 0, e.positions().length);
            g.writeArrayFieldStart("logits");
            for (float[] row : e.logits()) {
                g.writeStartArray();
                for (float v : row) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void rows(JsonGenerator g, String name, List<LogitRow> rows, int decimals) throws IOException {
        g.writeArrayFieldStart(name);
        for (LogitRow r : rows) {
            LogitRow q = r.rounded(decimals);
            g.writeStartObject();
            g.writeArrayFieldStart("top");
            for (int i = 0; i < q.size(); i++) {
                g.writeStartArray();
                g.writeNumber(q.ids()[i]);
                g.writeNumber(q.logits()[i]);
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeNumberField("lse", q.lse());
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
