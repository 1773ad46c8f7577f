package org.qins.transformer.model;

import org.qins.api.KvCache;
import org.qins.api.Parallel;
import org.qins.api.kernel.VectorMath;
import org.qins.transformer.config.ModelConfig;

/**
 * One pre-norm decoder block, shared by every family:
 * {@code h = x + o(attn(rope(qkNorm(q)), rope(qkNorm(k)), v))} over {@code norm1(x)} (q/k norms only
 * where the family has them, biases inside the projections), then
 * {@code x' = h + down(silu(gate) * up)} over {@code norm2(h)}.
 */
final class DecoderLayer {

    private final int index;
    private final ModelConfig config;
    private final RmsNorm inputNorm;
    private final RmsNorm postAttentionNorm;
    private final ConcatLinear qkv;
    private final HeadNorms headNorms;
    private final ConcatLinear o;
    private final ConcatLinear gateUp;
    private final ConcatLinear down;
    private final Attention attention;

    /** {@code headNorms} is null for families without q/k norms. */
    DecoderLayer(int index, ModelConfig config, RmsNorm inputNorm, RmsNorm postAttentionNorm, ConcatLinear qkv, HeadNorms headNorms,
            ConcatLinear o, ConcatLinear gateUp, ConcatLinear down) {
        this.index = index;
        this.config = config;
        this.inputNorm = inputNorm;
        this.postAttentionNorm = postAttentionNorm;
        this.qkv = qkv;
        this.headNorms = headNorms;
        this.o = o;
        this.gateUp = gateUp;
        this.down = down;
        this.attention = new Attention(config);
    }

    int largestPart() {
        return Math.max(qkv.largestPart(), gateUp.largestPart());
    }

    /** The down projection's describe(): which provider and format computes this block. */
    String describeLinear() {
        return down.describe();
    }

    long residentBytes() {
        return qkv.residentBytes() + o.residentBytes() + gateUp.residentBytes() + down.residentBytes();
    }

    /** Norm weights: the two block norms and the q/k norms. */
    long normParameters() {
        return 2L * config.hiddenSize() + (headNorms == null ? 0 : headNorms.parameters());
    }

    /** Bias values of the four projections (counted in {@link #residentBytes()} too). */
    long biasParameters() {
        return qkv.biasParameters() + o.biasParameters() + gateUp.biasParameters() + down.biasParameters();
    }

    /** Runs the batch's rows through the block; {@code ws.x} is updated in place. */
    void forward(Workspace ws, ForwardBatch batch, Rope rope, Parallel parallel) {
        int rows = batch.rows();
        int hidden = config.hiddenSize();
        inputNorm.apply(ws.x, ws.xn, rows);
        qkv.forward(ws.xn, ws.qkv, rows, ws.scratch);
        for (ForwardBatch.Part part : batch.parts()) {
            KvCache cache = part.sequence().cache();
            float[] freq = rope.frequenciesFor(part.ropeHorizon());
            for (int b = 0, n; b < part.count(); b += n) {
                n = wave(part.start() + b, part.count() - b, cache.spec().slots());
                store(ws, part, b, n, rope, freq, cache);
                attend(ws, part, b, n, cache, parallel);
            }
        }
        o.forward(ws.attn, ws.tmp, rows, ws.scratch);
        VectorMath.axpy(1f, ws.tmp, 0, ws.x, 0, rows * hidden);

        postAttentionNorm.apply(ws.x, ws.xn, rows);
        gateUp.forward(ws.xn, ws.gateUp, rows, ws.scratch);
        int inter = config.intermediateSize();
        for (int b = 0; b < rows; b++) {
            VectorMath.siluMul(ws.gateUp, b * 2 * inter, ws.gateUp, b * 2 * inter + inter, ws.act, b * inter, inter);
        }
        down.forward(ws.act, ws.tmp, rows, ws.scratch);
        VectorMath.axpy(1f, ws.tmp, 0, ws.x, 0, rows * hidden);
    }

    /**
     * How many of the {@code remaining} tokens from {@code position} on may be stored before they attend: storing
     * position p overwrites p - slots, which the first of them must still see. All of them for full attention
     * (slots = capacity); one at a time once a sliding-window cache (slots = window) is full.
     */
    private int wave(int position, int remaining, int slots) {
        int visible = position - attention.firstVisible(position) + 1;
        return Math.max(1, Math.min(remaining, slots - visible + 1));
    }

    /** Normalises (q/k norms), rotates and caches tokens {@code [b, b + n)} of the part. */
    private void store(Workspace ws, ForwardBatch.Part part, int b, int n, Rope rope, float[] freq, KvCache cache) {
        int qkvDim = config.qkvDim();
        int qDim = config.qDim();
        int kvDim = config.kvDim();
        for (int i = b; i < b + n; i++) {
            int base = (part.firstRow() + i) * qkvDim;
            int position = part.start() + i;
            if (headNorms != null) {
                headNorms.apply(ws.qkv, base);
            }
            rope.apply(ws.qkv, base, config.heads(), config.headDim(), position, freq);
            rope.apply(ws.qkv, base + qDim, config.kvHeads(), config.headDim(), position, freq);
            cache.store(index, position, ws.qkv, base + qDim, ws.qkv, base + qDim + kvDim);
        }
    }

    /**
     * Tokens {@code [b, b + n)} of the part attend, as blocks of (KV head, a few consecutive tokens) split across the
     * pool: each block's cached rows are read once for all its queries.
     */
    private void attend(Workspace ws, ForwardBatch.Part part, int b, int n, KvCache cache, Parallel parallel) {
        int kvHeads = config.kvHeads();
        int per = attention.tokensPerBlock();
        int blocks = (n + per - 1) / per;
        int first = part.firstRow() + b;
        int start = part.start() + b;
        parallel.forRange(kvHeads * blocks, 1, (from, to) -> {
            for (int u = from; u < to; u++) {
                int g = u / blocks;
                int t = (u % blocks) * per;
                attention.block(cache, index, ws.qkv, first + t, start + t, Math.min(per, n - t), g, ws.attn);
            }
        });
    }
}
