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

class DemoCommandTest {

    @Test
    void demoRunsEndToEndAndPatternATracksFloat(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("demo.json");
        StringWriter out = new StringWriter();
        int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "demo", "--cache-dir",
                tmp.resolve("cache").toString(), "--threads", "2", "--json", json.toString());
        assertThat(rc).isZero();
        assertThat(out.toString()).contains("Pattern A (qins)", "legacy (qins-legacy)", "(written now)", "What the numbers mean");
        JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
        assertThat(rows).hasSize(3);
        JsonNode fl = rows.get(0);
        JsonNode a = rows.get(1);
        JsonNode legacy = rows.get(2);
        assertThat(a.get("teacher_forced_top1").asDouble()).isGreaterThan(0.95);
        assertThat(legacy.get("teacher_forced_top1").asDouble()).isLessThan(0.5);
        assertThat(a.get("mean_kl").asDouble()).isLessThan(legacy.get("mean_kl").asDouble() / 100);
        assertThat(a.get("bench").get("weight_bytes").asLong()).isLessThan(fl.get("bench").get("weight_bytes").asLong() / 2);
        assertThat(a.get("bench").get("decode_tokens_per_s").asDouble()).isPositive();
        // Both checkpoints cached and complete: no temporary directories left.
        try (var files = Files.list(tmp.resolve("cache"))) {
            assertThat(files.map(p -> p.getFileName().toString())).hasSize(2).noneMatch(n -> n.startsWith("."));
        }
        StringWriter again = new StringWriter();
        assertThat(QinsCommand.run(new PrintWriter(again), new PrintWriter(new StringWriter()), "demo", "--cache-dir",
                tmp.resolve("cache").toString(), "--threads", "2")).isZero();
        assertThat(again.toString()).contains("(cached)").doesNotContain("written now");
    }
}
