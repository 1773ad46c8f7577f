package org.qins.transformer.model;

import java.util.List;
import org.qins.api.LinearLayer;
import org.qins.api.kernel.VectorMath;

/**
 * One projection of a block: linear layers applied to the same input whose outputs are laid side
 * by side per row ({@code [q | k | v]} or {@code [gate | up]}; one layer for {@code o} and
 * {@code down}), then an optional bias. Phi-3 stores q/k/v fused (one layer, no copy), Llama apart
 * (one call per layer, then the rows are interleaved), so the rest of the block sees one layout for
 * both. The bias is float data of the checkpoint added here by the engine: providers compute
 * {@code W x} only.
 */
final class ConcatLinear {

    private final LinearLayer[] parts;
    private final int outFeatures;
    /** {@code [outFeatures]}, or null without bias. */
    private final float[] bias;

    ConcatLinear(List<LinearLayer> parts, float[] bias) {
        this.parts = parts.toArray(LinearLayer[]::new);
        this.outFeatures = parts.stream().mapToInt(p -> p.spec().outFeatures()).sum();
        if (bias != null && bias.length != outFeatures) {
            throw new IllegalArgumentException("bias of " + bias.length + " values for " + outFeatures + " outputs");
        }
        this.bias = bias;
    }

    ConcatLinear(LinearLayer single) {
        this(List.of(single), null);
    }

    int outFeatures() {
        return outFeatures;
    }

    /** {@code out[b][0 .. outFeatures)} for {@code b < batch}; {@code scratch} holds at least batch x largest part. */
    void forward(float[] in, float[] out, int batch, float[] scratch) {
        if (parts.length == 1) {
            parts[0].forward(in, out, batch);
        } else {
            int col = 0;
            for (LinearLayer p : parts) {
                int n = p.spec().outFeatures();
                p.forward(in, scratch, batch);
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(scratch, b * n, out, b * outFeatures + col, n);
                }
                col += n;
            }
        }
        if (bias != null) {
            for (int b = 0; b < batch; b++) {
                VectorMath.axpy(1f, bias, 0, out, b * outFeatures, outFeatures);
            }
        }
    }

    int largestPart() {
        int m = 0;
        for (LinearLayer p : parts) {
            m = Math.max(m, p.spec().outFeatures());
        }
        return m;
    }

    long residentBytes() {
        long n = bias == null ? 0 : (long) bias.length * Float.BYTES;
        for (LinearLayer p : parts) {
            n += p.residentBytes();
        }
        return n;
    }

    /** Bias values (0 without). */
    int biasParameters() {
        return bias == null ? 0 : bias.length;
    }

    String describe() {
        return parts[0].describe();
    }
}
