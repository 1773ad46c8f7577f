package org.qins.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.qins.api.Options;
import org.qins.api.LayerSpec;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;

/**
 * Encode and decode (to float32) throughput of a 1024 x 1024 tensor. Scores are per weight
 * ({@code OperationsPerInvocation} = weights): ops/us = million weights/s = MB/s of code bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class CodecBench {

    static final int N = 1024;

    @Param({"qins9", "qins8", "qins8-seed"})
    public String layout;

    /** The clipped policy's scale fit (qins9, qins8): max or mse (the default, a search per block). */
    @Param({"mse"})
    public String fit;

    WeightFormat format;
    Options options;
    LayerSpec spec;
    TensorView weight;
    StoredWeight stored;

    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom r = new SplittableRandom(2);
        float[] w = new float[N * N];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.02);
        }
        format = WeightFormat.forName(layout);
        spec = new LayerSpec("bench", N, N);
        weight = TensorView.ofFloats("bench.weight", w, N, N);
        options = Options.of(layout, format.options(), layout.equals("qins8-seed") ? java.util.Map.of() : java.util.Map.of("fit", fit));
        stored = format.encode(spec, weight, options);
    }

    @Benchmark
    @OperationsPerInvocation(N * N)
    public StoredWeight encode() {
        return format.encode(spec, weight, options);
    }

    @Benchmark
    @OperationsPerInvocation(N * N)
    public TensorView decode() {
        return format.decode(spec, stored);
    }
}
