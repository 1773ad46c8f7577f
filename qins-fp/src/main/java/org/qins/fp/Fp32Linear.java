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
        VectorMath.matmul(weight, spec.outFeatures(), spec.inFeatures(), input, output, batch, parallel);
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
