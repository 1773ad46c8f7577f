package org.qins.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An exported model run the way onnxruntime-genai runs one: a prefill of the prompt from an empty cache, then
 * one token per call, each call's {@code present.N.*} fed back as the next call's {@code past_key_values.N.*}.
 */
final class OnnxRun implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final Map<String, float[]> past = new HashMap<>();
    private int pastLength;

    OnnxRun(Path model, int layers, int kvHeads, int headDim) throws OrtException {
        this.session = env.createSession(model.toString(), new OrtSession.SessionOptions());
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        for (int i = 0; i < layers; i++) {
            past.put("past_key_values." + i + ".key", new float[0]);
            past.put("past_key_values." + i + ".value", new float[0]);
        }
    }

    /** Logits {@code [tokens.length][vocab]} after each of {@code tokens}, appended to the cache. */
    float[][] run(int[] tokens) throws OrtException {
        int n = tokens.length;
        long[] ids = new long[n];
        long[] positions = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = tokens[i];
            positions[i] = pastLength + i;
        }
        long[] mask = new long[pastLength + n];
        java.util.Arrays.fill(mask, 1);
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, n}));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, mask.length}));
            in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {1, n}));
            for (Map.Entry<String, float[]> e : past.entrySet()) {
                in.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()), new long[] {1, kvHeads, pastLength, headDim}));
            }
            try (OrtSession.Result r = session.run(in)) {
                float[][] logits = ((float[][][]) r.get("logits").orElseThrow().getValue())[0];
                for (int i = 0; i < layers; i++) {
                    past.put("past_key_values." + i + ".key", flat(r, "present." + i + ".key"));
                    past.put("past_key_values." + i + ".value", flat(r, "present." + i + ".value"));
                }
                pastLength += n;
                return logits;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] flat(OrtSession.Result r, String name) {
        OnnxTensor t = (OnnxTensor) r.get(name).orElseThrow();
        FloatBuffer b = t.getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
