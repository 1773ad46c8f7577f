package org.qins.fp;

import java.lang.foreign.MemorySegment;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Parallel;
import org.qins.api.kernel.VectorMath;

/** {@code y = W x} with W as little-endian float32 in a (mapped or off-heap) segment. Rows split across threads. */
final class Fp32Linear implements LinearLayer {

    private final LayerSpec spec;
    private final MemorySegment weight;
    private final Parallel parallel;

    Fp32Linear(LayerSpec spec, MemorySegment weight, Parallel parallel) {
        this.spec = spec;
        this.weight = weight;
        this.parallel = parallel;
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public void forward(float[] input, float[] output, int batch) {
        int in = spec.inFeatures();
        int out = spec.outFeatures();
        if (batch == 1) {
            parallel.forRange(out, 16, (from, to) -> {
                for (int o = from; o < to; o++) {
                    output[o] = VectorMath.dot(weight, (long) o * in * 4, input, 0, in);
                }
            });
        } else {
            // Register-blocked 4 rows x 4 vectors: each weight row is streamed once per 4 batch vectors.
            parallel.forRange(out, 16, (from, to) ->
                    VectorMath.gemm(weight, (long) from * in * 4, to - from, input, batch, in, output, from, out));
        }
    }

    @Override
    public long residentBytes() {
        return weight.byteSize();
    }

    @Override
    public String describe() {
        return "fp32 " + spec.outFeatures() + "x" + spec.inFeatures();
    }
}
