package org.qins.onnx.export;

import java.util.ArrayList;
import java.util.List;
import org.qins.api.LayerSpec;
import org.qins.onnx.graph.DataType;
import org.qins.onnx.graph.OnnxGraph;
import org.qins.onnx.graph.Ops;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.LayerTensors;
import org.qins.transformer.arch.Projection;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ModelConfig;

/**
 * The decoder as an ONNX graph, step for step the engine's block for every described family: token embedding
 * ({@code Gather}); per block RMSNorm, q/k/v (fused or apart, biases added), per-head q/k RMSNorm where described,
 * RoPE, the new keys and values appended to the past ones (the {@code present.N.*} outputs), GQA attention with
 * causal, padding and sliding-window masking, softmax, o; RMSNorm, SwiGLU MLP; final RMSNorm and the head
 * (the embedding's transpose when tied). Inputs and outputs are named as onnxruntime-genai expects.
 */
final class DecoderGraph {

    static final String BATCH = "batch_size";
    static final String SEQ = "sequence_length";
    static final String PAST = "past_sequence_length";
    static final String TOTAL = "total_sequence_length";

    private final ModelConfig c;
    private final Ops o;
    private final Weights w;
    private final Architecture arch;
    private final float lowest = -Float.MAX_VALUE;

    DecoderGraph(ModelConfig c, Checkpoint ckpt, OnnxGraph g) {
        this.c = c;
        this.o = new Ops(g);
        this.w = new Weights(o, ckpt);
        this.arch = c.architecture();
    }

    static String pastKey(int layer) {
        return "past_key_values." + layer + ".key";
    }

    static String pastValue(int layer) {
        return "past_key_values." + layer + ".value";
    }

    static String presentKey(int layer) {
        return "present." + layer + ".key";
    }

    static String presentValue(int layer) {
        return "present." + layer + ".value";
    }

    void build() {
        OnnxGraph g = o.graph();
        String ids = g.input("input_ids", DataType.INT64, BATCH, SEQ);
        String mask = g.input("attention_mask", DataType.INT64, BATCH, TOTAL);
        String positions = g.input("position_ids", DataType.INT64, BATCH, SEQ);
        for (int i = 0; i < c.layers(); i++) {
            g.input(pastKey(i), DataType.FLOAT, BATCH, (long) c.kvHeads(), PAST, (long) c.headDim());
            g.input(pastValue(i), DataType.FLOAT, BATCH, (long) c.kvHeads(), PAST, (long) c.headDim());
        }
        String embed = w.tensor(arch.embedding() + ".weight", c.vocabSize(), c.hiddenSize());
        String x = o.gather(embed, ids, 0);
        Rotary rope = new Rotary(o, c, positions);
        String visible = AttentionMask.build(o, ids, pastKey(0), mask, c.slidingWindow());
        for (int i = 0; i < c.layers(); i++) {
            x = block(i, x, rope, visible);
        }
        String h = rmsNorm(x, w.tensor(arch.finalNorm() + ".weight", c.hiddenSize()));
        String head = c.tieWordEmbeddings() ? o.transpose(embed, 1, 0)
                : w.linear(new LayerSpec(arch.head(), c.vocabSize(), c.hiddenSize()));
        g.ops("MatMul", List.of("logits"), List.of(h, head));
        g.output("logits", DataType.FLOAT, BATCH, SEQ, (long) c.vocabSize());
        for (int i = 0; i < c.layers(); i++) {
            g.output(presentKey(i), DataType.FLOAT, BATCH, (long) c.kvHeads(), TOTAL, (long) c.headDim());
            g.output(presentValue(i), DataType.FLOAT, BATCH, (long) c.kvHeads(), TOTAL, (long) c.headDim());
        }
    }

    private String block(int i, String x, Rotary rope, String visible) {
        LayerTensors names = arch.layer();
        String h = rmsNorm(x, w.tensor(arch.inLayer(i, names.inputNorm()) + ".weight", c.hiddenSize()));
        List<String> qkv = projection(i, Projection.QKV, h);
        if (qkv.size() == 1) {
            qkv = o.split(qkv.get(0), 2, c.qDim(), c.kvDim(), c.kvDim());
        }
        String q = heads(qkv.get(0), c.heads());
        String k = heads(qkv.get(1), c.kvHeads());
        if (names.hasQkNorm()) {
            q = rmsNorm(q, w.tensor(arch.inLayer(i, names.qNorm()) + ".weight", c.headDim()));
            k = rmsNorm(k, w.tensor(arch.inLayer(i, names.kNorm()) + ".weight", c.headDim()));
        }
        q = rope.apply(o.transpose(q, 0, 2, 1, 3));
        k = rope.apply(o.transpose(k, 0, 2, 1, 3));
        String v = o.transpose(heads(qkv.get(2), c.kvHeads()), 0, 2, 1, 3);
        String keys = o.concatInto(presentKey(i), 2, pastKey(i), k);
        String values = o.concatInto(presentValue(i), 2, pastValue(i), v);
        String scores = o.mul(o.matMul(q, o.transpose(grouped(keys), 0, 1, 3, 2)), o.scalar((float) (1.0 / Math.sqrt(c.headDim()))));
        String p = o.softmax(o.where(visible, scores, o.scalar(lowest)), -1);
        String attn = o.reshape(o.transpose(o.matMul(p, grouped(values)), 0, 2, 1, 3), 0, 0, c.qDim());
        x = o.add(x, projection(i, Projection.O, attn).get(0));
        h = rmsNorm(x, w.tensor(arch.inLayer(i, names.postAttentionNorm()) + ".weight", c.hiddenSize()));
        List<String> gateUp = projection(i, Projection.GATE_UP, h);
        if (gateUp.size() == 1) {
            gateUp = o.split(gateUp.get(0), 2, c.intermediateSize(), c.intermediateSize());
        }
        String gate = gateUp.get(0);
        String mlp = o.mul(o.mul(gate, o.sigmoid(gate)), gateUp.get(1));
        return o.add(x, projection(i, Projection.DOWN, mlp).get(0));
    }

    /** {@code [batch, seq, n * headDim]} as {@code [batch, seq, n, headDim]}. */
    private String heads(String x, int n) {
        return o.reshape(x, 0, 0, n, c.headDim());
    }

    /** Keys or values {@code [batch, kv, total, d]} repeated for the query heads of their group: {@code [batch, heads, total, d]}. */
    private String grouped(String kv) {
        if (c.groupSize() == 1) {
            return kv;
        }
        String expanded = o.expand(o.unsqueeze(kv, 2), o.int64s(1, 1, c.groupSize(), 1, 1));
        return o.reshape(expanded, 0, c.heads(), -1, c.headDim());
    }

    /** A projection's stored tensors applied to {@code x}, biases added: one output per tensor. */
    private List<String> projection(int layer, Projection p, String x) {
        List<String> tensors = arch.layer().tensors(p);
        int[] sizes = c.partSizes(p);
        List<String> out = new ArrayList<>();
        for (int t = 0; t < tensors.size(); t++) {
            String base = arch.inLayer(layer, tensors.get(t));
            String y = o.matMul(x, w.linear(new LayerSpec(base, sizes[t], c.inputSize(p))));
            if (c.biases().contains(p)) {
                y = o.add(y, w.tensor(base + ".bias", sizes[t]));
            }
            out.add(y);
        }
        return out;
    }

    /** {@code x * (1 / sqrt(mean(x^2) + eps)) * weight} over the last axis, as the engine's RmsNorm. */
    private String rmsNorm(String x, String weight) {
        String mean = o.reduceMean(o.mul(x, x), -1);
        String inv = o.div(o.scalar(1), o.sqrt(o.add(mean, o.scalar(c.rmsNormEps()))));
        return o.mul(o.mul(x, inv), weight);
    }
}
