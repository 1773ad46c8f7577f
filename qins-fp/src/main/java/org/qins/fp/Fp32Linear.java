package org.qins.fp;

import java.lang.foreign.MemorySegment;
import org.qins.api.DType;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Parallel;
import org.qins.api.kernel.NativeLibrary;
import org.qins.api.kernel.VectorMath;

/**
 * {@code y = W x} in float32 with W as little-endian float32 or bfloat16 in a (mapped or off-heap) segment, used
 * where it lies: a bfloat16 weight is widened exactly inside the product, so both give the same floats. Rows split
 * across threads. One input vector (a decode step) over F32 weights goes through the native product where it is
 * loaded ({@link NativeFloatKernels}); everything else through the Vector API loops of {@link VectorMath}.
 */
final class Fp32Linear implements LinearLayer {

    /** Rows per chunk of the native product handed to a thread (its loop takes four rows per pass). */
    private static final int ROW_GRAIN = 16;

    private final LayerSpec spec;
    private final MemorySegment weight;
    private final boolean bf16;
    private final Parallel parallel;
    /** The F32 weight for the native product of one input vector, or null for the Vector API loops throughout. */
    private final MemorySegment nativeWeight;

    /** {@code kernel}: {@code auto}, {@code native} or {@code vector} (the {@value Fp32LinearProvider#KERNEL} option). */
    Fp32Linear(LayerSpec spec, MemorySegment weight, DType dtype, Parallel parallel, String kernel) {
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': fp32 computes over F32 or BF16 weights, not " + dtype);
        }
        this.spec = spec;
        this.weight = weight;
        this.bf16 = dtype == DType.BF16;
        this.parallel = parallel;
        boolean nativeProduct = switch (kernel) {
            case "vector" -> false;
            case "auto" -> !bf16 && NativeFloatKernels.available();
            case "native" -> {
                if (bf16) {
                    throw new IllegalArgumentException("layer '" + spec.name() + "': kernel native computes over F32 weights;"
                            + " this one is BF16 (use kernel=vector or auto)");
                }
                if (!NativeFloatKernels.available()) {
                    throw new IllegalArgumentException("layer '" + spec.name() + "': kernel native: native float kernels "
                            + NativeFloatKernels.status());
                }
                yield true;
            }
            default -> throw new IllegalArgumentException("layer '" + spec.name() + "': unknown kernel '" + kernel + "'");
        };
        this.nativeWeight = nativeProduct ? NativeLibrary.unscoped(weight) : null;
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public void forward(float[] input, float[] output, int batch) {
        if (nativeWeight != null && batch == 1) {
            int cols = spec.inFeatures();
            parallel.forRange(spec.outFeatures(), ROW_GRAIN, (from, to) -> {
                try {
                    NativeFloatKernels.DOT_ROWS.invokeExact(nativeWeight, cols, from, to, MemorySegment.ofArray(input),
                            MemorySegment.ofArray(output));
                } catch (Throwable e) {
                    throw NativeLibrary.unchecked(e);
                }
            });
            return;
        }
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
        return "fp32 " + spec.outFeatures() + "x" + spec.inFeatures() + (bf16 ? " (bf16 weights)" : "")
                + (nativeWeight != null ? " kernel=native" : " kernel=vector");
    }
}
