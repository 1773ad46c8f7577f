package org.qins.onnx.export;

import org.qins.onnx.graph.DataType;
import org.qins.onnx.graph.Ops;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.config.RopeScaling;
import org.qins.transformer.model.Rope;

/**
 * RoPE in the graph, as the engine computes it: angles {@code position * inv_freq} (the engine's frequencies,
 * from {@link Rope}, as initializers), cos and sin times the attention factor, rotate-half over the first
 * rotary dimensions of each head. LongRoPE picks its long frequencies when the call's largest position + 1
 * passes the original context, as the engine does per forward call.
 */
final class Rotary {

    private final Ops o;
    private final int rotary;
    private final int headDim;
    private final String cos;
    private final String sin;

    /** cos and sin {@code [batch, 1, seq, rotary]} from {@code positionIds} {@code [batch, seq]}. */
    Rotary(Ops o, ModelConfig c, String positionIds) {
        this.o = o;
        this.rotary = c.rope().rotaryDim();
        this.headDim = c.headDim();
        Rope rope = new Rope(c.rope());
        String freq = o.graph().floats("rope_inv_freq", rope.frequenciesFor(0), rotary / 2);
        if (c.rope().scaling() instanceof RopeScaling.LongRope l) {
            String longFreq = o.graph().floats("rope_inv_freq_long", rope.frequenciesFor(Integer.MAX_VALUE - 1), rotary / 2);
            String beyond = o.greater(o.op("Add", "max_position", o.reduceMaxAll(positionIds), o.int64s(1)),
                    o.int64s(l.originalMax()));
            freq = o.where(beyond, longFreq, freq);
        }
        String angles = o.mul(o.unsqueeze(o.cast(positionIds, DataType.FLOAT), 2), freq);
        String emb = o.concat(-1, angles, angles);
        String factor = o.scalar(rope.scaling());
        this.cos = o.unsqueeze(o.mul(o.cos(emb), factor), 1);
        this.sin = o.unsqueeze(o.mul(o.sin(emb), factor), 1);
    }

    /** Rotates {@code x} {@code [batch, heads, seq, headDim]}. */
    String apply(String x) {
        String r = rotary == headDim ? x : o.slice(x, 3, 0, rotary);
        String x1 = o.slice(r, 3, 0, rotary / 2);
        String x2 = o.slice(r, 3, rotary / 2, rotary);
        String rotated = o.add(o.mul(r, cos), o.mul(o.concat(3, o.neg(x2), x1), sin));
        return rotary == headDim ? rotated : o.concat(3, rotated, o.slice(x, 3, rotary, headDim));
    }
}
