package org.qins.transformer.model;

import org.qins.api.KvCache;
import org.qins.api.LinearLayer;
import org.qins.api.Parallel;
import org.qins.api.kernel.VectorMath;
import org.qins.transformer.config.ModelConfig;

/**
 * One pre-norm decoder block, shared by Llama and Phi-3:
 * {@code h = x + o(attn(rope(q), rope(k), v))} over {@code norm1(x)}, then
 * {@code x' = h + down(silu(gate) * up)} over {@code norm2(h)}.
 */
final class DecoderLayer {

    private final int index;
    private final ModelConfig config;
    private final RmsNorm inputNorm;
    private final RmsNorm postAttentionNorm;
    private final ConcatLinear qkv;
    private final LinearLayer o;
    private final ConcatLinear gateUp;
    private final LinearLayer down;
    private final Attention attention;

    DecoderLayer(int index, ModelConfig config, RmsNorm inputNorm, RmsNorm postAttentionNorm, ConcatLinear qkv, LinearLayer o,
            ConcatLinear gateUp, LinearLayer down) {
        this.index = index;
        this.config = config;
        this.inputNorm = inputNorm;
        this.postAttentionNorm = postAttentionNorm;
        this.qkv = qkv;
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

    /** Runs the batch's rows through the block; {@code ws.x} is updated in place. */
    void forward(Workspace ws, ForwardBatch batch, Rope rope, Parallel parallel) {
        int rows = batch.rows();
        int hidden = config.hiddenSize();
        int qDim = config.qDim();
        int kvDim = config.kvDim();
        int qkvDim = config.qkvDim();
        inputNorm.apply(ws.x, ws.xn, rows);
        qkv.forward(ws.xn, ws.qkv, rows, ws.scratch);
        for (ForwardBatch.Part part : batch.parts()) {
            KvCache cache = part.sequence().cache();
            float[] freq = rope.frequenciesFor(part.start() + part.count() - 1);
            for (int b = 0; b < part.count(); b++) {
                int base = (part.firstRow() + b) * qkvDim;
                int position = part.start() + b;
                rope.apply(ws.qkv, base, config.heads(), config.headDim(), position, freq);
                rope.apply(ws.qkv, base + qDim, config.kvHeads(), config.headDim(), position, freq);
                cache.store(index, position, ws.qkv, base + qDim, ws.qkv, base + qDim + kvDim);
            }
        }
        attend(ws, batch, parallel);
        o.forward(ws.attn, ws.tmp, rows);
        VectorMath.axpy(1f, ws.tmp, 0, ws.x, 0, rows * hidden);

        postAttentionNorm.apply(ws.x, ws.xn, rows);
        gateUp.forward(ws.xn, ws.gateUp, rows, ws.scratch);
        int inter = config.intermediateSize();
        for (int b = 0; b < rows; b++) {
            VectorMath.siluMul(ws.gateUp, b * 2 * inter, ws.gateUp, b * 2 * inter + inter, ws.act, b * inter, inter);
        }
        down.forward(ws.act, ws.tmp, rows);
        VectorMath.axpy(1f, ws.tmp, 0, ws.x, 0, rows * hidden);
    }

    /** Every (row, head) pair of the batch, split across the pool; each row sees its own sequence up to its position. */
    private void attend(Workspace ws, ForwardBatch batch, Parallel parallel) {
        int heads = config.heads();
        for (ForwardBatch.Part part : batch.parts()) {
            KvCache cache = part.sequence().cache();
            int first = part.firstRow();
            int start = part.start();
            parallel.forRange(part.count() * heads, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int b = i / heads;
                    attention.head(cache, index, ws.qkv, first + b, i % heads, start + b + 1, ws.attn);
                }
            });
        }
    }
}
