package org.qins.it.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.parallel.WorkerPool;
import org.qins.tools.validate.CandidateWriter;
import org.qins.tools.validate.CompareMetrics;
import org.qins.tools.validate.Comparison;
import org.qins.tools.validate.Follower;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.PromptRecord;
import org.qins.tools.validate.ReferenceFile;

/**
 * The float engine reproduces Hugging Face transformers on the three fixtures: every greedy token
 * of every prompt, the exact rows to 1e-3 and the teacher-forced distributions (KL ~ 0).
 * The candidate goes through the llm-ref/1 file and back, as {@code qins generate --follow} writes it.
 */
class FloatParityTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-phi3", "tiny-llama-tied"})
    void matchesTransformers(String name) throws Exception {
        Path dir = Engines.fixture(name);
        LlmRef ref = ReferenceFile.read(dir.resolve("reference.json"));
        LlmRef cand;
        try (WorkerPool pool = new WorkerPool(2); CausalLm model = Engines.loadFp32(dir, pool)) {
            cand = new Follower(model, Engines.fp32Kv(), 20).follow(ref, Map.of("engine", "qins-java"));
        }
        Path file = tmp.resolve(name + ".json");
        CandidateWriter.write(cand, file);
        LlmRef written = ReferenceFile.read(file);
        CompareMetrics m = Comparison.compare(ref, written);

        System.out.printf("%s: exact max |dlogit| %.3e, mean KL %.3e, tf top-10 max |dlogit| %.3e%n", name,
                m.exactMaxAbsLogitDiff(), m.meanKl(), m.teacherMaxLogitDiffTop10());
        assertThat(m.greedyMatchRate()).as("greedy match rate").isEqualTo(1.0);
        assertThat(m.prompts()).allSatisfy(p -> assertThat(p.firstDivergence()).isEqualTo(ref.nSteps()));
        assertThat(m.exactMaxAbsLogitDiff()).as("exact-row max |logit diff|").isLessThanOrEqualTo(1e-3);
        // The candidate file carries our logits at full precision (CandidateWriter.DECIMALS), so the
        // estimator's tail bucket is ours, not a rounding artefact.
        assertThat(m.meanKl()).as("mean KL").isLessThanOrEqualTo(1e-6);
        assertThat(m.teacherTop1()).isEqualTo(1.0);
        assertThat(m.teacherTop10Overlap()).isEqualTo(1.0);
    }
}
