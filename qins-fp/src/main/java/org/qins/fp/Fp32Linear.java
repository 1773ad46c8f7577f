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
        parallel.forRange(out, 16, (from, to) -> {
            for (int o = from; o < to; o++) {
                long rowOff = (long) o * in * 4;
                for (int b = 0; b < batch; b++) {
                    output[b * out + o] = VectorMath.dot(weight, rowOff, input, b * in, in);
                }
            }
        });
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
