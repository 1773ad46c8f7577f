package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {

    static final Path LLAMA = Path.of(System.getProperty("qins.fixtures"), "tiny-llama");

    @Test
    void aProviderAgainstItselfPasses(@TempDir Path tmp) throws Exception {
        StringWriter out = new StringWriter();
        Path json = tmp.resolve("c.json");
        int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "compare", "--model", LLAMA.toString(),
                "--reference", "fp32", "--candidate", "fp32", "--kv", "fp32", "--steps", "16", "--threads", "2",
                "--json", json.toString());
        assertThat(rc).isZero();
        assertThat(out.toString()).contains("metric", "teacher-forced top-1 agreement", "VERDICT: PASS");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("greedy_match_rate").asDouble()).isEqualTo(1.0);
        assertThat(j.get("teacher_forced_top1").asDouble()).isEqualTo(1.0);
        assertThat(j.get("mean_kl").asDouble()).isLessThan(1e-9);
        assertThat(j.get("steps").asInt()).isEqualTo(16);
        assertThat(j.get("prompts")).hasSize(3); // the three standard prompts
        assertThat(j.get("prompts").get(2).get("prompt_length").asInt()).isEqualTo(40);
        assertThat(j.get("verdict").asText()).isEqualTo("PASS");
    }

    @Test
    void legacyAgainstTheReferenceFileFailsWithPerplexity(@TempDir Path tmp) throws Exception {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, "The quick brown fox jumps over the lazy dog. The weather was cold and the river ran fast, "
                + "so the children stayed near the fire and told stories until the night was over.");
        Path json = tmp.resolve("c.json");
        StringWriter out = new StringWriter();
        int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "compare", "--model", LLAMA.toString(),
                "--reference", LLAMA.resolve("reference.json").toString(), "--candidate", "qins-legacy", "--kv", "fp32",
                "--text", text.toString(), "--threads", "2", "--json", json.toString());
        assertThat(rc).isEqualTo(2);
        assertThat(out.toString()).contains("VERDICT: FAIL", "teacher-forced top-1", "perplexity candidate");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("steps").asInt()).isEqualTo(200); // from the reference file
        assertThat(j.get("teacher_forced_top1").asDouble()).isLessThan(0.5);
        assertThat(j.get("mean_kl").asDouble()).isGreaterThan(0.1);
        double pr = j.get("perplexity_reference").asDouble();
        double pc = j.get("perplexity_candidate").asDouble();
        assertThat(pr).isGreaterThan(1.0).isFinite();
        assertThat(pc).isGreaterThan(1.0).isFinite().isNotEqualTo(pr);
        assertThat(j.get("perplexity_tokens").asLong()).isGreaterThan(20);
    }

    @Test
    void textPromptsAreTokenizedAndTheirTeacherForcedPositionsCounted(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("c.json");
        StringWriter out = new StringWriter();
        int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "compare", "--model", LLAMA.toString(),
                "--reference", "fp32", "--candidate", "qins", "--kv", "fp32", "--steps", "20", "--threads", "2",
                "--prompt-text", "Once upon a time", "--prompt-text", "The weather was cold and the river ran fast",
                "--json", json.toString());
        assertThat(rc).isIn(0, 2);
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("prompts")).hasSize(2);
        int p0 = j.get("prompts").get(0).get("prompt_length").asInt();
        int p1 = j.get("prompts").get(1).get("prompt_length").asInt();
        assertThat(p1).isGreaterThan(p0).isGreaterThan(5);
        assertThat(j.get("teacher_forced_positions").asLong()).isEqualTo(p0 + p1 + 2 * 20);
        assertThat(out.toString()).containsPattern("teacher-forced positions +\\| " + (p0 + p1 + 40) + "\n");
    }
}
