package org.qins.transformer.model;

import org.qins.api.KvCache;
import org.qins.api.LinearLayer;
import org.qins.api.Parallel;
import org.qins.api.kernel.VectorMath;

/**
 * One pre-norm decoder block, shared by Llama and Phi-3:
 * {@code h = x + o(attn(rope(q), rope(k), v))} over {@code norm1(x)}, then
 * {@code x' = h + down(silu(gate) * up)} over {@code norm2(h)}.
 */
final class DecoderLayer {

    private final int index;
    private final ModelShape shape;
    private final RmsNorm inputNorm;
    private final RmsNorm postAttentionNorm;
    private final ConcatLinear qkv;
    private final LinearLayer o;
    private final ConcatLinear gateUp;
    private final LinearLayer down;

    DecoderLayer(int index, ModelShape shape, RmsNorm inputNorm, RmsNorm postAttentionNorm, ConcatLinear qkv, LinearLayer o,
            ConcatLinear gateUp, LinearLayer down) {
        this.index = index;
        this.shape = shape;
        this.inputNorm = inputNorm;
        this.postAttentionNorm = postAttentionNorm;
        this.qkv = qkv;
        this.o = o;
        this.gateUp = gateUp;
        this.down = down;
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

    /** Runs {@code count} tokens at positions {@code start ..} through the block; {@code ws.x} is updated in place. */
    void forward(Workspace ws, int start, int count, KvCache cache, Rope rope, AttentionKernel attention, Parallel parallel) {
        int hidden = shape.hidden();
        int qDim = shape.qDim();
        int kvDim = shape.kvDim();
        int qkvDim = shape.qkvDim();
        inputNorm.apply(ws.x, ws.xn, count);
        qkv.forward(ws.xn, ws.qkv, count, ws.scratch);
        float[] freq = rope.frequenciesFor(start + count - 1);
        for (int b = 0; b < count; b++) {
            int base = b * qkvDim;
            rope.apply(ws.qkv, base, shape.heads(), shape.headDim(), start + b, freq);
            rope.apply(ws.qkv, base + qDim, shape.kvHeads(), shape.headDim(), start + b, freq);
            cache.store(index, start + b, ws.qkv, base + qDim, ws.qkv, base + qDim + kvDim);
        }
        attention.cache = cache;
        attention.layer = index;
        attention.qkv = ws.qkv;
        attention.out = ws.attn;
        attention.scores = ws.scores;
        attention.scoreStride = ws.positions;
        for (int b = 0; b < count; b++) {
            attention.token(b, start + b + 1);
            parallel.forRange(shape.heads(), 1, attention);
        }
        o.forward(ws.attn, ws.tmp, count);
        VectorMath.axpy(1f, ws.tmp, 0, ws.x, 0, count * hidden);

        postAttentionNorm.apply(ws.x, ws.xn, count);
        gateUp.forward(ws.xn, ws.gateUp, count, ws.scratch);
        int inter = shape.intermediate();
        for (int b = 0; b < count; b++) {
            VectorMath.siluMul(ws.gateUp, b * 2 * inter, ws.gateUp, b * 2 * inter + inter, ws.act, b * inter, inter);
        }
        down.forward(ws.act, ws.tmp, count);
        VectorMath.axpy(1f, ws.tmp, 0, ws.x, 0, count * hidden);
    }
}
