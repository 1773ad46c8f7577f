package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {

    static final Path STORIES = Path.of(System.getProperty("qins.fixtures"), "tiny-stories-1m");

    @Test
    void convertsThenReportsTheTablesAndWritesTheFiles(@TempDir Path tmp) throws Exception {
        Path converted = tmp.resolve("stories-qins");
        assertThat(QinsCommand.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "convert", "--model",
                STORIES.toString(), "--output", converted.toString())).isZero();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path dir = tmp.resolve("report");
        int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(err), "report", "--model", converted.toString(), "--source",
                STORIES.toString(), "--output", dir.toString(), "--steps", "4", "--threads", "2");
        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString()).contains("| model.layers.4.mlp.down_proj | 128x352 | qins9 | 1.1875 |",
                "| all encoded (35 tensors) | 921,600 weights |", "| layer | weights |", "| 4 | 184,320 |", "wrote " + dir);
        assertThat(err.toString()).contains("layer 4: 7 weights from the converted checkpoint");
        assertThat(Files.readString(dir.resolve("report.md"))).startsWith("# Layout report").contains("](layer-kl.png)");
        assertThat(ImageIO.read(dir.resolve("histogram-codes.png").toFile()).getWidth()).isEqualTo(1000);

        // The output exists now: refused before anything is read, naming it (a usage error: exit status 2).
        StringWriter again = new StringWriter();
        assertThat(QinsCommand.run(new PrintWriter(new StringWriter()), new PrintWriter(again), "report", "--model",
                converted.toString(), "--source", STORIES.toString(), "--output", dir.toString(), "--no-kl")).isEqualTo(2);
        assertThat(again.toString()).contains("--output " + dir + ": already exists");
    }

    @Test
    void weightsOnlyRunsNoModel(@TempDir Path tmp) throws Exception {
        Path converted = tmp.resolve("stories-qins8");
        assertThat(QinsCommand.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "convert", "--model",
                STORIES.toString(), "--output", converted.toString(), "--layout", "qins8")).isZero();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path dir = tmp.resolve("report");
        assertThat(QinsCommand.run(new PrintWriter(out), new PrintWriter(err), "report", "--model", converted.toString(), "--source",
                STORIES.toString(), "--output", dir.toString(), "--no-kl")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("| qins8 | 1.0625 |", "bottom code (127)").doesNotContain("| layer |");
        assertThat(err.toString()).doesNotContain("reference logits");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("report.md", "tensor-error.png",
                    "histogram-codes.png");
        }
    }
}
