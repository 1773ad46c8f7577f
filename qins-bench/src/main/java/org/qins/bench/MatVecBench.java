package org.qins.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.qins.api.DType;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;
import org.qins.codec.QinsLinearProvider;
import org.qins.fp.Fp32LinearProvider;
import org.qins.transformer.parallel.WorkerPool;

/**
 * Matrix-vector product y = W x on a 4096 x 4096 matrix: fused QINS (decode inside the matmul)
 * vs float32. GFLOP/s = 2 * 4096^2 / time; GB/s of codes = 4096^2 / time (qins9: 1.19 B/weight
 * in total, fp32: 4 B/weight).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatVecBench {

    static final int N = 4096;

    @Param({"1", "2"})
    public int threads;

    @Param({"qins9", "qins8", "fp32"})
    public String format;

    /**
     * The providers' kernel option: auto, native (the C loops), vector (the Vector API loops); for qins also bf16 (the C
     * loops with bf16 one-vector products), table32
     * (32-bit lanes), tiled, scalar.
     */
    @Param({"auto"})
    public String kernel;

    @Param({"1"})
    public int batch;

    /** The encoder's scale fit (max or mse, the default): decoding is the same, the stored scales differ. */
    @Param({"mse"})
    public String fit;

    /** The engine's own pool, as in production. */
    WorkerPool parallel;
    LinearLayer layer;
    float[] x;
    float[] y;

    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        float[] w = new float[N * N];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.02);
        }
        LayerSpec spec = new LayerSpec("bench", N, N);
        // Off-heap, 64-byte aligned like the engine's mapped checkpoints (a heap byte[] segment is much slower).
        MemorySegment seg = Arena.ofShared().allocate((long) w.length * 4, 64);
        MemorySegment.copy(w, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, w.length);
        TensorView weight = new TensorView("bench.weight", DType.F32, new long[] {N, N}, seg);
        parallel = new WorkerPool(threads);
        if (format.equals("fp32")) {
            Fp32LinearProvider p = new Fp32LinearProvider();
            Options o = Options.of(Fp32LinearProvider.NAME, p.options(), Map.of(Fp32LinearProvider.KERNEL, kernel));
            layer = p.load(spec, StoredWeight.ofFloat("bench", weight), new LayerContext(parallel, o));
        } else {
            QinsLinearProvider p = new QinsLinearProvider();
            WeightFormat f = WeightFormat.forName(format);
            StoredWeight s = f.encode(spec, weight, Options.of(format, f.options(), Map.of("fit", fit)));
            Options o = Options.of("qins", p.options(), Map.of(QinsLinearProvider.KERNEL, kernel));
            layer = p.load(spec, s, new LayerContext(parallel, o));
        }
        x = new float[batch * N];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        y = new float[batch * N];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public float[] matvec() {
        layer.forward(x, y, batch);
        return y;
    }
}
