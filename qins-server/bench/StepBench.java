import java.nio.file.Path;
import java.util.*;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.model.*;

/**
 * Engine-level cost of one batched decode step (a benchmark, not a test): for each row count N, N sequences (4-token
 * prompts) advance together by one token per step through a {@code BatchStep}; prints ms per step and tokens/s.
 * Two rounds, the first one warming up.
 *
 * <pre>java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp qins-cli/target/qins.jar \
 *     qins-server/bench/StepBench.java MODEL_DIR 1,2,4,8,16 [KERNEL]</pre>
 * KERNEL: the linear provider's {@code kernel} option (e.g. {@code vector} or {@code native} for qins), to compare loops.
 */
public class StepBench {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        int[] sizes = Arrays.stream(a[1].split(",")).mapToInt(Integer::parseInt).toArray();
        QinsEngine.Builder builder = QinsEngine.builder().threads(2).kv("fp32");
        if (a.length > 2) {
            builder.layerOption("kernel", a[2]);
        }
        try (QinsEngine engine = builder.build(); CausalLm lm = engine.load(dir)) {
            for (int round = 0; round < 2; round++) {
                for (int n : sizes) {
                    List<Sequence> seqs = new ArrayList<>();
                    List<int[]> prompts = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        seqs.add(lm.newSequence(engine.kvCache(), 64));
                        prompts.add(new int[] {1, 100 + i, 200 + i, 300 + i});
                    }
                    BatchStep step = new BatchStep(lm);
                    step.run(seqs, prompts);
                    List<int[]> next = new ArrayList<>();
                    for (int i = 0; i < n; i++) next.add(new int[] {500 + i});
                    step.run(seqs, next);
                    int reps = 4;
                    long t0 = System.nanoTime();
                    for (int r = 0; r < reps; r++) step.run(seqs, next);
                    double ms = (System.nanoTime() - t0) / 1e6 / reps;
                    System.out.printf("round %d rows %2d: %7.1f ms/step, %6.2f tok/s%n", round, n, ms, n * 1000 / ms);
                }
            }
        }
    }
}
