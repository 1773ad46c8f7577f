package org.qins.codec;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.Parallel;

/**
 * Runs the kernels of a format on small synthetic tensors, on a daemon thread, when the first layer
 * of that format loads: the Vector API runs hundreds of times slower until C2 compiles the kernels,
 * so the JIT should see them while the rest of the model loads rather than during the first tokens.
 * Every entry point the engine reaches is called: the batch-1 dot loops (whole pairs of groups, and
 * other row lengths), the packed prefill product (one vector of batch lanes, and four) and the small
 * batch tile, {@value #CALLS} times or for half a second, whichever ends first: with the {@code qins}
 * launcher's lowered compile thresholds for the kernel classes that reaches C2, without them it only
 * starts the tiered compilation earlier. Results are discarded; a failure here is left
 * to the real call to report.
 */
final class KernelWarmup {

    private static final Set<QinsFormat> STARTED = ConcurrentHashMap.newKeySet();
    private static final int CALLS = 30;
    /** Wall-clock cap: without lowered thresholds the interpreted calls are slow and would not reach C2 anyway. */
    private static final long BUDGET_NANOS = 500_000_000L;

    private KernelWarmup() {
    }

    /** Starts the warm-up of {@code format}'s kernels unless one already ran in this JVM. */
    static void start(QinsFormat format) {
        if (!STARTED.add(format)) {
            return;
        }
        Thread.ofPlatform().daemon().name("qins-kernel-warmup").start(() -> {
            try {
                run(format);
            } catch (RuntimeException e) {
                // the same kernels run on the real tensors next, and report there
            }
        });
    }

    static void run(QinsFormat format) {
        // The smallest shapes that reach every loop: calls before C2 are slow in proportion to their size.
        // 6 rows: one block of the packed product; 64 columns: one pair of groups (the 16-bit loops);
        // 96: a row that is not whole pairs (the other loops).
        int rows = 6;
        QinsLinear[] layers = {layer(format, rows, 64), layer(format, rows, 96)};
        int[] batches = {1, 1, 1, 1, 3, 16, 64};
        long end = System.nanoTime() + BUDGET_NANOS;
        for (int call = 0; call < CALLS && System.nanoTime() < end; call++) {
            for (QinsLinear l : layers) {
                int in = l.spec().inFeatures();
                for (int batch : batches) {
                    float[] x = new float[batch * in];
                    java.util.Arrays.fill(x, 0.5f);
                    l.forward(x, new float[batch * rows], batch);
                }
            }
        }
    }

    private static QinsLinear layer(QinsFormat format, int rows, int cols) {
        float[] w = new float[rows * cols];
        long s = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < w.length; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            w[i] = (float) ((s >> 40) * 0x1p-24) * 0.05f; // roughly uniform in [-0.05, 0.05), some zeros after encoding
        }
        QinsTensor t = QinsCodec.encode("warmup", w, rows, cols, format);
        return new QinsLinear(new LayerSpec("warmup", rows, cols), t, new LayerContext(Parallel.SEQUENTIAL, Map.of()),
                QinsKernels.select(t));
    }
}
