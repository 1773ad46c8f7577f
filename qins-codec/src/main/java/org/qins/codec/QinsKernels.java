package org.qins.codec;

import java.util.Arrays;
import java.util.Locale;

/**
 * The kernels a {@link QinsLinear} can run, chosen explicitly by the provider option
 * {@value QinsLinearProvider#KERNEL} (never by a global switch), so that tests and benchmarks
 * name the kernel they measure.
 */
enum QinsKernels {
    /** {@link #NATIVE} where the library is loaded and the tensor fits it, else {@link #VECTOR}. */
    AUTO,
    /** The native AVX-512 loops ({@link NativeQinsKernel}): qins9 and qins8 blocks of 32 with fp16 scales. */
    NATIVE,
    /**
     * {@link #NATIVE} with the one-vector products (every decode step) in bf16: decoded weights and the input rounded
     * to bf16, AVX-512 BF16 dot products. Lossy (about 0.2 % per product), opt-in; other products as native.
     */
    BF16,
    /** The Vector API table kernel (16-bit lanes where the shape allows) where the format has a table decode, else tiled. */
    VECTOR,
    /** The table kernel in 32-bit lanes only (to measure the 16-bit loops against it). */
    TABLE32,
    /** Decode a row tile with the Vector API, then a vector dot product (any format). */
    TILED,
    /** The portable scalar reference. */
    SCALAR;

    /** The option value: {@code auto}, {@code table32}, {@code tiled}, {@code scalar}. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static String[] ids() {
        return Arrays.stream(values()).map(QinsKernels::id).toArray(String[]::new);
    }

    static QinsKernels fromId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }

    /** A kernel of this kind for {@code t}; an error names the tensor when the kind cannot run it. */
    QinsKernel create(QinsTensor t) {
        return switch (this) {
            case SCALAR -> new ScalarKernel(t);
            case TILED -> new TiledVectorKernel(t);
            case AUTO -> NativeKernels.available() && NativeQinsKernel.supports(t) ? new NativeQinsKernel(t) : VECTOR.create(t);
            case NATIVE -> new NativeQinsKernel(t);
            case BF16 -> new NativeQinsKernel(t, true);
            case VECTOR -> LutVectorKernel.supports(t) ? table(t, true) : new TiledVectorKernel(t);
            case TABLE32 -> {
                if (!LutVectorKernel.supports(t)) {
                    throw new IllegalArgumentException("layer '" + t.name + "': kernel table32 needs a clipped format with a"
                            + " power-of-two number of codes per octave; this one is " + t.format);
                }
                yield table(t, false);
            }
        };
    }

    private static QinsKernel table(QinsTensor t, boolean allowHalves) {
        return t.format.layout().signInCode() ? new Qins8VectorKernel(t, allowHalves) : new Qins9VectorKernel(t, allowHalves);
    }
}
