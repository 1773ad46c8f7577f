import java.nio.file.Path;
import java.util.*;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.model.*;

/**
 * The engine's continuous batching without HTTP, shaped as llama.cpp's {@code llama-batched-bench} (a benchmark, not a
 * test): for each level B, B sequences read a PP-token prompt together (one {@code BatchStep}, fed in rounds of the
 * model's prefill chunk), then TG one-token steps together; prints the prompt time, the steps' time and B x TG tokens
 * per second over both, as llama-batched-bench reports T_PP, T_TG and S_TG (it too times TG steps after the prompt).
 * Prompts are distinct pseudo-random ids; tokens are fed, not sampled (the step's cost does not depend on which token
 * it is). Two rounds, the first one warming up.
 *
 * <pre>java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp qins-cli/target/qins.jar \
 *     qins-server/bench/BatchedBench.java MODEL_DIR 1,4,8,16 [PP [TG]]</pre>
 * Same machine, same threads: {@code llama-batched-bench -m MODEL.gguf -c 2048 -npp PP -ntg TG -npl 1,4,8,16 -t 2}.
 */
public class BatchedBench {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        int[] levels = Arrays.stream(a[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int pp = a.length > 2 ? Integer.parseInt(a[2]) : 33;
        int tg = a.length > 3 ? Integer.parseInt(a[3]) : 48;
        try (QinsEngine engine = QinsEngine.builder().threads(Integer.getInteger("t", 2)).kv("fp32").build();
                CausalLm lm = engine.load(dir)) {
            int vocab = lm.config().vocabSize();
            SplittableRandom rnd = new SplittableRandom(7);
            for (int round = 0; round < 2; round++) {
                for (int b : levels) {
                    List<Sequence> seqs = new ArrayList<>();
                    List<int[]> prompts = new ArrayList<>();
                    List<int[]> next = new ArrayList<>();
                    for (int i = 0; i < b; i++) {
                        seqs.add(lm.newSequence(engine.kvCache(), pp + tg + 1));
                        int[] p = new int[pp];
                        p[0] = 1;
                        for (int k = 1; k < pp; k++) p[k] = 3 + rnd.nextInt(vocab - 3);
                        prompts.add(p);
                        next.add(new int[] {3 + rnd.nextInt(vocab - 3)});
                    }
                    BatchStep step = new BatchStep(lm);
                    long t0 = System.nanoTime();
                    step.run(seqs, prompts);
                    long t1 = System.nanoTime();
                    for (int s = 0; s < tg; s++) step.run(seqs, next);
                    long t2 = System.nanoTime();
                    double tpp = (t1 - t0) / 1e9, ttg = (t2 - t1) / 1e9;
                    System.out.printf(Locale.ROOT, "round %d B %2d: T_PP %6.3f s (%6.1f t/s)  T_TG %6.3f s"
                            + "  S_TG %6.2f t/s  generated %4d in %6.3f s: %6.2f t/s%n", round, b, tpp, b * pp / tpp,
                            ttg, b * tg / ttg, b * tg, tpp + ttg, b * tg / (tpp + ttg));
                }
            }
        }
    }
}
