package org.qins.onnx.export;

import org.qins.onnx.graph.DataType;
import org.qins.onnx.graph.Ops;

/**
 * Which keys each query sees, {@code [batch, 1, seq, total]} booleans: query i of the call sits at
 * {@code past + i}; it sees key j when {@code j <= past + i}, the key's {@code attention_mask} entry is
 * non-zero, and, with a sliding window W, {@code j > past + i - W} (transformers' sliding-window mask).
 */
final class AttentionMask {

    private AttentionMask() {
    }

    /** The mask for {@code inputIds} {@code [batch, seq]} after {@code pastKey} {@code [batch, kv, past, d]}. */
    static String build(Ops o, String inputIds, String pastKey, String attentionMask, int window) {
        String past = o.squeeze(o.shape(pastKey, 2, 3), 0);
        String total = o.op("Add", "total_length", past, o.squeeze(o.shape(inputIds, 1, 2), 0));
        String keys = o.unsqueeze(o.range(o.graph().int64Scalar("zero", 0), total), 0); // [1, T]
        String queries = o.unsqueeze(o.range(past, total), 1); // [S, 1]
        String visible = o.lessOrEqual(keys, queries);
        if (window > 0) {
            visible = o.and(visible, o.greater(keys, o.sub(queries, o.int64s(window))));
        }
        String padding = o.unsqueeze(o.cast(attentionMask, DataType.BOOL), 1, 2); // [B, 1, 1, T]
        return o.and(padding, visible);
    }
}
