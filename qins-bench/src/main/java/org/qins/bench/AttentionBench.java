package org.qins.bench;

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
import org.qins.api.KvCache;
import org.qins.api.KvCacheProvider;
import org.qins.api.KvCacheSpec;
import org.qins.fp.FloatKvCacheProvider;
import org.qins.kvcache.QinsKvCacheProvider;

/**
 * One KV head's attention products for a block of {@code queries} queries over {@code positions}
 * cached positions, Phi-3.5-mini's head (96 dims, 32 KV heads per row): scores and weighted value
 * sums, one thread. {@code perQuery} asks the cache once per query (the engine before block
 * attention: every cached row read, or decoded, once per query); {@code block} asks once for the
 * block. Time per call; divide by queries x positions for a cost per (query, position).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AttentionBench {

    static final int HEAD_DIM = 96;
    static final int KV_HEADS = 32;

    @Param({"fp32", "qins"})
    public String kv;

    @Param({"4096"})
    public int positions;

    /** 16: a prefill block (16 tokens of Phi-3.5-mini, or 4 tokens x a GQA group of 4); 1: a decode step. */
    @Param({"16", "1"})
    public int queries;

    KvCache cache;
    float[] q;
    float[] scores;
    float[] out;

    @Setup(Level.Trial)
    public void setup() {
        KvCacheProvider p = kv.equals("qins") ? new QinsKvCacheProvider() : new FloatKvCacheProvider();
        cache = p.create(new KvCacheSpec(1, KV_HEADS, HEAD_DIM, positions));
        cache.reserve(positions);
        SplittableRandom r = new SplittableRandom(1);
        float[] row = new float[KV_HEADS * HEAD_DIM];
        for (int t = 0; t < positions; t++) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) r.nextGaussian();
            }
            cache.store(0, t, row, 0, row, 0);
        }
        q = new float[queries * HEAD_DIM];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) r.nextGaussian();
        }
        scores = new float[queries * positions];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = 1f / positions;
        }
        out = new float[queries * HEAD_DIM];
    }

    @Benchmark
    public float perQuery() {
        for (int j = 0; j < queries; j++) {
            cache.keyScores(0, 5, q, j * HEAD_DIM, 0, positions, scores, j * positions);
            cache.valueSum(0, 5, scores, j * positions, 0, positions, out, j * HEAD_DIM);
        }
        return out[0];
    }

    @Benchmark
    public float block() {
        cache.keyScores(0, 5, q, 0, queries, 0, positions, scores, 0, positions);
        cache.valueSum(0, 5, scores, 0, positions, queries, 0, positions, out, 0);
        return out[0];
    }
}
