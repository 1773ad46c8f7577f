package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qins.api.LayerSpec;
import org.qins.api.Parallel;

class QinsLinearTest {

    static final int OUT = 40;

    static Stream<Arguments> cases() {
        QinsFormat q9 = QinsFormat.DEFAULTS;
        QinsFormat q8 = new QinsFormat(QinsLayout.QINS8, Grouping.block(32), RangePolicy.CLIPPED, QinsFormat.WIDTH_QINS8, BelowRange.NEAREST);
        QinsFormat q9p16 = new QinsFormat(QinsLayout.QINS9, Grouping.block(64), RangePolicy.CLIPPED, 254.0 / 16, BelowRange.NEAREST);
        QinsFormat q9row = new QinsFormat(QinsLayout.QINS9, Grouping.ROW, RangePolicy.CLIPPED, QinsFormat.WIDTH_QINS9, BelowRange.NEAREST);
        QinsFormat q8row = new QinsFormat(QinsLayout.QINS8, Grouping.ROW, RangePolicy.CLIPPED, QinsFormat.WIDTH_QINS8, BelowRange.NEAREST);
        QinsFormat minmax = new QinsFormat(QinsLayout.QINS9, Grouping.block(32), RangePolicy.MINMAX, 0, BelowRange.NEAREST);
        QinsFormat odd = new QinsFormat(QinsLayout.QINS8, Grouping.block(24), RangePolicy.CLIPPED, 5, BelowRange.NEAREST);
        List<Arguments> a = new java.util.ArrayList<>();
        for (QinsFormat f : List.of(q9, q8, q9p16, q9row, q8row, minmax, odd, QinsFormat.SEED)) {
            for (int in : new int[] {256, 100}) { // 100: partial last block and scalar tails
                a.add(Arguments.of(f, in));
            }
        }
        return a.stream();
    }

    static float[] input(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Weights.gaussian(r);
        }
        return x;
    }

    /** "Decode the whole matrix, then multiply in float" (accumulated in double), with its error scale. */
    static void checkAgainstDecoded(QinsTensor t, float[] x, float[] y, int batch) {
        float[] d = QinsCodec.decode(t);
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < t.rows; o++) {
                double ref = 0;
                double mag = 0;
                for (int i = 0; i < t.cols; i++) {
                    ref += (double) d[o * t.cols + i] * x[b * t.cols + i];
                    mag += Math.abs((double) d[o * t.cols + i] * x[b * t.cols + i]);
                }
                assertThat((double) y[b * t.rows + o]).as("row %d batch %d", o, b).isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-5 * mag + 1e-30));
            }
        }
    }

    /**
     * The kernels that can run {@code t}: all of them, but the 32-bit table kernel only where the format has a table
     * decode, and the native one where it is loaded (NativeQinsKernelTest fails a build that should have it and does not).
     * Not bf16: lossy by design, NativeQinsKernelTest holds it to its own reference and bound.
     */
    static List<QinsKernels> kernelsFor(QinsTensor t) {
        return java.util.Arrays.stream(QinsKernels.values())
                .filter(k -> k != QinsKernels.BF16)
                .filter(k -> k != QinsKernels.TABLE32 || LutVectorKernel.supports(t))
                .filter(k -> k != QinsKernels.NATIVE || NativeKernels.available() && NativeQinsKernel.supports(t)).toList();
    }

    /**
     * The kernel matrix: every kernel, every format, one and two threads, batch 1 (dot loops), small
     * batches (the fused batch loop where the kernel has one: blocks of four and the rest) and a
     * batch past it (tiles).
     */
    @ParameterizedTest
    @MethodSource("cases")
    void everyKernelMatchesDecodeThenMultiply(QinsFormat format, int in) {
        float[] w = Weights.heavyTailed(in, OUT * in, 0.02);
        QinsTensor t = QinsCodec.encode("layer", w, OUT, in, format);
        LayerSpec spec = new LayerSpec("layer", OUT, in);
        for (QinsKernels kind : kernelsFor(t)) {
            for (Parallel p : new Parallel[] {Parallel.SEQUENTIAL, new ChunkedParallel()}) {
                QinsLinear layer = new QinsLinear(spec, t, p, kind.create(t), null);
                // 2..8: the fused batch loop (where the kernel has one); 9 and up: the packed prefill product
                for (int batch : new int[] {1, 3, 6, 8, 9, 12, 17, 40, 56, 70}) {
                    float[] x = input(batch, batch * in);
                    float[] y = new float[batch * OUT];
                    layer.forward(x, y, batch);
                    checkAgainstDecoded(t, x, y, batch);
                }
            }
        }
    }

    /**
     * Zero codes: the 32-bit dot loops decode them as garbage and subtract it afterwards, the 16-bit
     * loops mask their lookups to zero. Many of them, in many groups, and one row of nothing else.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void manyZeroCodesMatchDecodeThenMultiply(QinsFormat format, int in) {
        float[] w = Weights.heavyTailed(in + 7, OUT * in, 0.02);
        SplittableRandom r = new SplittableRandom(in);
        for (int i = 0; i < w.length; i++) {
            if (i % 7 == 3 || r.nextInt(10) == 0 || (i / in) % 5 == 1 && (i % in) < 48) {
                w[i] = i % 2 == 0 ? 0f : -0f; // the 3rd row class: whole zero groups
            }
        }
        int zeroRow = OUT - 2;
        java.util.Arrays.fill(w, zeroRow * in, (zeroRow + 1) * in, 0f);
        QinsTensor t = QinsCodec.encode("layer", w, OUT, in, format);
        LayerSpec spec = new LayerSpec("layer", OUT, in);
        for (QinsKernels kind : kernelsFor(t)) {
          QinsKernel k = kind.create(t);
          boolean masked = k instanceof LutVectorKernel lut && lut.halves || k instanceof NativeQinsKernel;
          if (k instanceof LutVectorKernel lut && !lut.halves) {
              assertThat(lut.zeroCol.length).as("zero codes listed").isGreaterThan(OUT * in / 10);
          }
          for (Parallel p : new Parallel[] {Parallel.SEQUENTIAL, new ChunkedParallel()}) {
            QinsLinear layer = new QinsLinear(spec, t, p, k, null);
            for (int batch : new int[] {1, 3, 5}) {
                float[] x = input(batch + 11, batch * in);
                float[] y = new float[batch * OUT];
                layer.forward(x, y, batch);
                checkAgainstDecoded(t, x, y, batch);
                if (masked && batch == 1) {
                    assertThat(y[zeroRow]).as("a row of zero codes, lanes masked to zero").isZero();
                }
            }
          }
        }
    }

    /**
     * On AVX-512 the default formats' pair loops run in 16-bit lanes under {@code vector} and in 32-bit lanes under
     * {@code table32}; {@code auto} takes the native loops where they are loaded.
     */
    @Test
    void autoTakesTheSixteenBitLoopsAndTable32TheThirtyTwoBitOnes() {
        QinsFormat q8 = new QinsFormat(QinsLayout.QINS8, Grouping.block(32), RangePolicy.CLIPPED, QinsFormat.WIDTH_QINS8, BelowRange.NEAREST);
        for (QinsFormat f : List.of(QinsFormat.DEFAULTS, q8)) {
            QinsTensor t = QinsCodec.encode("layer", Weights.heavyTailed(5, OUT * 192, 0.02), OUT, 192, f);
            if (LutVectorKernel.L == 16) {
                assertThat(QinsKernels.VECTOR.create(t).name()).as(f.toString()).endsWith("-halves");
                assertThat(QinsKernels.AUTO.create(t).name()).as(f.toString())
                        .endsWith(NativeKernels.available() ? "-native-avx512" : "-halves");
                assertThat(QinsKernels.TABLE32.create(t).name()).as(f.toString()).endsWith("-16");
            }
            assertThat(QinsKernels.SCALAR.create(t).name()).isEqualTo("scalar");
            assertThat(QinsKernels.TILED.create(t).name()).isEqualTo("tiled-vector");
        }
        QinsTensor t = QinsCodec.encode("l", Weights.heavyTailed(1, 8 * 64, 0.02), 8, 64, QinsFormat.DEFAULTS);
        if (LutVectorKernel.L == 16 || LutVectorKernel.L == 8) {
            assertThat(new QinsLinear(new LayerSpec("l", 8, 64), t, Parallel.SEQUENTIAL).kernelName())
                    .startsWith(NativeKernels.available() ? "qins9-native" : "qins9-vector");
        }
    }

    /** The table kernels' zero-code list: row starts, plus a 2-byte column per zero code (all columns vectorised). */
    static long zeroIndexBytes(QinsTensor t) {
        if (!QinsKernels.AUTO.create(t).name().contains("vector")) {
            return 0;
        }
        int mask = t.format.layout().signInCode() ? 0x7F : 0xFF;
        long zeros = 0;
        for (long k = 0; k < (long) t.rows * t.cols; k++) {
            if ((t.codes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, k) & mask) == 0) {
                zeros++;
            }
        }
        return 4L * (t.rows + 1) + 2 * zeros;
    }

    @Test
    void residentBytesCountCodesSignsRangesAndTheOptionalDecodedCache() {
        int in = 128;
        QinsTensor t = QinsCodec.encode("l", Weights.heavyTailed(3, OUT * in, 0.02), OUT, in, QinsFormat.DEFAULTS);
        LayerSpec spec = new LayerSpec("l", OUT, in);
        QinsLinear plain = new QinsLinear(spec, t, Parallel.SEQUENTIAL);
        // codes + sign plane + fp16 scales + the 32-bit vector kernels' zero-code index (the 16-bit
        // kernels mask zero codes in their lookups and keep no index)
        long index = plain.kernelName().endsWith("-halves") ? 0 : zeroIndexBytes(t);
        long expected = (long) OUT * in + OUT * in / 8 + OUT * (in / 32) * 2 + index;
        assertThat(plain.residentBytes()).isEqualTo(expected);
        QinsLinear cached = new QinsLinear(spec, t, Parallel.SEQUENTIAL, QinsKernels.AUTO.create(t), java.lang.foreign.Arena.ofAuto());
        assertThat(cached.residentBytes()).isEqualTo(expected + (long) OUT * in * 4);
        assertThat(cached.describe()).contains("decoded-cache");
        float[] x = input(9, 2 * in);
        float[] y1 = new float[2 * OUT];
        float[] y2 = new float[2 * OUT];
        plain.forward(x, y1, 2);
        cached.forward(x, y2, 2);
        for (int i = 0; i < y1.length; i++) {
            assertThat(y2[i]).isCloseTo(y1[i], org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(y1[i]))));
        }
    }
}
