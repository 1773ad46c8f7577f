package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.tools.validate.CompareMetrics;
import org.qins.tools.validate.Comparison;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;

class GenerateCommandTest {

    private static final Path PHI3 = Path.of(System.getProperty("qins.fixtures"), "tiny-phi3");

    @Test
    void followWritesACandidateThatMatchesTheReference(@TempDir Path tmp) {
        Path out = tmp.resolve("cand.json");
        int rc = QinsCommand.run("generate", "--model", PHI3.toString(), "--follow", PHI3.resolve("reference.json").toString(),
                "--json", out.toString(), "--linear", "fp32", "--kv", "fp32", "--threads", "2");
        assertThat(rc).isZero();
        LlmRef ref = ReferenceFile.read(PHI3.resolve("reference.json"));
        CompareMetrics m = Comparison.compare(ref, ReferenceFile.read(out));
        assertThat(m.greedyMatchRate()).isEqualTo(1.0);
        assertThat(m.exactMaxAbsLogitDiff()).isLessThanOrEqualTo(1e-3);
    }

    /** --no-mmap (weights copied into memory at load; WeightsInMemoryTest checks the copy) runs the same model. */
    @Test
    void noMmapWritesTheSameRun(@TempDir Path tmp) throws Exception {
        Path mapped = tmp.resolve("mapped.json");
        Path copied = tmp.resolve("copied.json");
        for (Path out : new Path[] {mapped, copied}) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("generate", "--model", PHI3.toString(),
                    "--prompt-ids", "1,5,9,33", "--max-new-tokens", "8", "--linear", "fp32", "--kv", "fp32", "--json", out.toString()));
            if (out == copied) {
                args.add("--no-mmap");
            }
            assertThat(QinsCommand.run(args.toArray(String[]::new))).isZero();
        }
        LlmRef a = ReferenceFile.read(mapped);
        LlmRef b = ReferenceFile.read(copied);
        assertThat(b.prompts().get(0).greedyTokens()).isEqualTo(a.prompts().get(0).greedyTokens());
        assertThat(Comparison.compare(a, b).exactMaxAbsLogitDiff()).isZero();
    }

    @Test
    void generatesFromIdsAndWritesJson(@TempDir Path tmp) {
        Path out = tmp.resolve("gen.json");
        int rc = QinsCommand.run("generate", "--model", PHI3.toString(), "--prompt-ids", "1,5,9,33", "--max-new-tokens", "12",
                "--linear", "fp32", "--kv", "fp32", "--json", out.toString(), "--no-stop");
        assertThat(rc).isZero();
        LlmRef run = ReferenceFile.read(out);
        LlmRef ref = ReferenceFile.read(PHI3.resolve("reference.json"));
        assertThat(run.prompts().get(0).greedyTokens()).isEqualTo(java.util.Arrays.copyOf(ref.prompts().get(1).greedyTokens(), 12));
        assertThat(run.prompts().get(0).teacherRows()).hasSize(16);
    }

    @Test
    void rejectsTwoPromptSources() {
        assertThat(QinsCommand.run("generate", "--model", PHI3.toString(), "--prompt", "hi", "--prompt-ids", "1")).isNotZero();
    }
}
