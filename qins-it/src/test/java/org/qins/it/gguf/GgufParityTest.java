package org.qins.it.gguf;

import org.qins.it.TeacherTopOne;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qins.tools.validate.CandidateWriter;
import org.qins.tools.validate.CompareMetrics;
import org.qins.tools.validate.Comparison;
import org.qins.tools.validate.Follower;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.gguf.HfToGguf;
import org.qins.transformer.model.CausalLm;

/**
 * Each fixture written as a float32 GGUF file (llama.cpp's names, metadata keys and q/k row order) runs as
 * {@code qins generate --model FILE.gguf --linear fp32 --kv fp32 --follow REF} would and reproduces
 * transformers' reference exactly as the safetensors directory does (compare.py {@code --min-match 1.0
 * --max-kl 1e-5 --max-logit-diff 1e-3}); the candidate goes through the llm-ref/1 file and back.
 */
class GgufParityTest {

    static final List<String> REQUIRED = List.of("tiny-llama/reference.json", "tiny-qwen2/reference.json", "tiny-phi3/reference.json");

    @TempDir
    static Path work;
    static QinsEngine engine;

    @BeforeAll
    static void start() {
        engine = QinsEngine.builder().threads(2).linear("fp32").kv("fp32").build();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static Path fixtures() {
        return Path.of(System.getProperty("qins.fixtures"));
    }

    static Stream<String> referenceFiles() throws IOException {
        try (Stream<Path> files = Files.walk(fixtures(), 2)) {
            return files.filter(p -> p.getFileName().toString().matches("reference.*\\.json"))
                    .map(p -> fixtures().relativize(p).toString().replace('\\', '/')).sorted().toList().stream();
        }
    }

    @Test
    void theRequiredFamiliesAreCovered() throws IOException {
        assertThat(referenceFiles().toList()).containsAll(REQUIRED);
    }

    @ParameterizedTest
    @MethodSource("referenceFiles")
    void theGgufCopyMatchesTransformers(String file) throws Exception {
        Path ref = fixtures().resolve(file);
        String fixture = ref.getParent().getFileName().toString();
        Path gguf = work.resolve(fixture + ".gguf");
        if (!Files.exists(gguf)) {
            HfToGguf.write(ref.getParent(), gguf, HfToGguf.Type.F32);
        }
        LlmRef reference = ReferenceFile.read(ref);
        LlmRef cand;
        try (CausalLm model = engine.load(gguf)) {
            cand = new Follower(model, engine.kvCache(), 20).follow(reference, Map.of("engine", "qins-java", "model", "gguf"));
        }
        Path written = work.resolve(fixture + "-" + ref.getFileName());
        CandidateWriter.write(cand, written);
        CompareMetrics m = Comparison.compare(reference, ReferenceFile.read(written));
        System.out.printf("gguf parity | %s | %s | %.4f | %.4f | %.2e | %.2e |%n", fixture, ref.getFileName(), m.greedyMatchRate(),
                m.teacherTop1(), m.meanKl(), m.exactMaxAbsLogitDiff());
        assertThat(m.greedyMatchRate()).as("greedy match rate").isEqualTo(1.0);
        assertThat(m.exactMaxAbsLogitDiff()).as("exact-row max |logit diff|").isLessThanOrEqualTo(1e-3);
        assertThat(m.meanKl()).as("mean KL").isLessThanOrEqualTo(1e-5);
        TeacherTopOne.agreesButAtTies(reference, cand);
    }
}
