package org.qins.transformer.model;

import java.util.List;
import org.qins.api.LinearLayer;

/**
 * Linear layers applied to the same input whose outputs are laid side by side per row:
 * {@code [q | k | v]} or {@code [gate | up]}. Phi-3 stores them fused (one layer, no copy);
 * Llama stores them apart (one call per layer, then the rows are interleaved), so the rest of
 * the block sees one layout for both.
 */
final class ConcatLinear {

    private final LinearLayer[] parts;
    private final int outFeatures;

    ConcatLinear(List<LinearLayer> parts) {
        this.parts = parts.toArray(LinearLayer[]::new);
        this.outFeatures = parts.stream().mapToInt(p -> p.spec().outFeatures()).sum();
    }

    int outFeatures() {
        return outFeatures;
    }

    /** {@code out[b][0 .. outFeatures)} for {@code b < batch}; {@code scratch} holds at least batch x largest part. */
    void forward(float[] in, float[] out, int batch, float[] scratch) {
        if (parts.length == 1) {
            parts[0].forward(in, out, batch);
            return;
        }
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

    int largestPart() {
        int m = 0;
        for (LinearLayer p : parts) {
            m = Math.max(m, p.spec().outFeatures());
        }
        return m;
    }

    long residentBytes() {
        long n = 0;
        for (LinearLayer p : parts) {
            n += p.residentBytes();
        }
        return n;
    }
}
