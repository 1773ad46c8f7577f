package org.qins.fp;

import java.lang.foreign.MemorySegment;
import org.qins.api.DType;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Parallel;
import org.qins.api.kernel.VectorMath;

/**
 * {@code y = W x} in float32 with W as little-endian float32 or bfloat16 in a (mapped or off-heap) segment, used
 * where it lies: a bfloat16 weight is widened exactly inside the product, so both give the same floats. Rows split
 * across threads.
 */
final class Fp32Linear implements LinearLayer {

    private final LayerSpec spec;
    private final MemorySegment weight;
    private final boolean bf16;
    private final Parallel parallel;

    Fp32Linear(LayerSpec spec, MemorySegment weight, DType dtype, Parallel parallel) {
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': fp32 computes over F32 or BF16 weights, not " + dtype);
        }
        this.spec = spec;
        this.weight = weight;
        this.bf16 = dtype == DType.BF16;
        this.parallel = parallel;
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public void forward(float[] input, float[] output, int batch) {
        if (bf16) {
            VectorMath.matmulBf16(weight, spec.outFeatures(), spec.inFeatures(), input, output, batch, parallel);
        } else {
            VectorMath.matmul(weight, spec.outFeatures(), spec.inFeatures(), input, output, batch, parallel);
        }
    }

    @Override
    public long residentBytes() {
        return weight.byteSize();
    }

    @Override
    public String describe() {
        return "fp32 " + spec.outFeatures() + "x" + spec.inFeatures() + (bf16 ? " (bf16 weights)" : "");
    }
}
