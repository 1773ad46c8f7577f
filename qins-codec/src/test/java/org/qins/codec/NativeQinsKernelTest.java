package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qins.api.LayerSpec;
import org.qins.api.Parallel;

/**
 * The native AVX-512 loops against the scalar reference: the decode bit for bit, products within
 * the float rounding of their sums. (QinsLinearTest runs them through every format and batch too.)
 */
class NativeQinsKernelTest {

    /** Whether this machine should have the native kernels: a Linux x86-64 build with a C compiler, on an AVX-512 CPU. */
    private static boolean expected() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        boolean avx512 = Files.isReadable(cpuinfo) && Files.readString(cpuinfo).contains(" avx512bw");
        return avx512 && NativeKernels.class.getResource(NativeKernels.RESOURCE) != null;
    }

    @Test
    void loadedWhereTheBuildHadACompilerAndTheCpuHasAvx512() throws IOException {
        // Fails a build that compiled the library on an AVX-512 machine and then ran without it: the
        // native loops would otherwise go untested without anyone noticing.
        assertThat(NativeKernels.available()).as(NativeKernels.status()).isEqualTo(expected());
        if (!NativeKernels.available()) {
            assertThat(NativeKernels.status()).startsWith("unavailable: ");
        }
    }

    private static final QinsFormat QINS8 = new QinsFormat(QinsLayout.QINS8, Grouping.block(32), RangePolicy.CLIPPED,
            QinsFormat.WIDTH_QINS8, BelowRange.NEAREST);

    /** Weights with many zeros (+0 and -0) and tiny magnitudes, in either layout. */
    private static QinsTensor tensor(int rows, int cols, long seed, QinsFormat format) {
        float[] w = Weights.heavyTailed(seed, rows * cols, 0.02);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < w.length; i++) {
            int k = r.nextInt(20);
            if (k == 0) {
                w[i] = r.nextBoolean() ? 0f : -0f;
            } else if (k == 1) {
                w[i] *= 1e-4f; // below the block's range: code 0 or the deepest octave
            }
        }
        return QinsCodec.encode("native", w, rows, cols, format);
    }

    @Test
    void decodeIsBitExactAgainstTheScalarReference() {
        assumeTrue(NativeKernels.available(), NativeKernels::status);
        for (QinsFormat format : new QinsFormat[] {QinsFormat.DEFAULTS, QINS8})
        for (int cols : new int[] {32, 64, 96, 100, 192, 2048, 2063}) { // odd group counts, partial last groups
            QinsTensor t = tensor(9, cols, cols, format);
            NativeQinsKernel k = new NativeQinsKernel(t);
            float[] ref = new float[cols + 3];
            float[] got = new float[cols + 3];
            for (int row = 0; row < t.rows; row++) {
                t.decodeRow(row, ref, 3);
                k.decodeRow(row, got, 3);
                for (int i = 0; i < cols + 3; i++) {
                    assertThat(Float.floatToRawIntBits(got[i])).as("row %d col %d: %s vs %s", row, i - 3, got[i], ref[i])
                            .isEqualTo(Float.floatToRawIntBits(ref[i]));
                }
            }
        }
    }

    /**
     * Where the CPU has VBMI the exact one-vector product takes its mask-free loop; the masked loop (for AVX-512 CPUs
     * without VBMI) must give the same floats. Both run here, the masked one forced.
     */
    @Test
    void maskedAndMaskFreeLoopsGiveTheSameFloats() {
        assumeTrue(NativeKernels.available(), NativeKernels::status);
        assumeTrue(NativeKernels.useMaskFree(true), "this CPU lacks VBMI: only the masked loop exists here");
        for (QinsFormat format : new QinsFormat[] {QinsFormat.DEFAULTS, QINS8}) {
            for (int cols : new int[] {32, 100, 1061, 2063, 9000}) { // partial last groups; rows of more than one scale chunk
                QinsTensor t = tensor(37, cols, cols + 1, format);
                NativeQinsKernel k = new NativeQinsKernel(t);
                float[] x = QinsLinearTest.input(cols, cols);
                float[] maskFree = product(k, t, x);
                float[] masked;
                try {
                    assertThat(NativeKernels.useMaskFree(false)).isFalse();
                    masked = product(k, t, x);
                } finally {
                    NativeKernels.useMaskFree(true);
                }
                assertThat(maskFree).as("%s cols %d", format.layout(), cols).isEqualTo(masked);
                QinsLinearTest.checkAgainstDecoded(t, x, maskFree, 1);
            }
        }
    }

    /** Rows [0, 37) times x, in two calls (rows 0-5 and 5-37). */
    private static float[] product(NativeQinsKernel k, QinsTensor t, float[] x) {
        float[] out = new float[t.rows];
        float[] scratch = new float[t.cols];
        float[] xp = k.prepareInput(x, 1);
        k.dotRows(0, 5, xp, out, scratch);
        k.dotRows(5, t.rows, xp, out, scratch);
        return out;
    }

    @Test
    void rowAndBatchProductsMatchTheScalarKernel() {
        assumeTrue(NativeKernels.available(), NativeKernels::status);
        for (QinsFormat format : new QinsFormat[] {QinsFormat.DEFAULTS, QINS8}) {
            for (int cols : new int[] {320, 96, 100, 688, 1061}) {
                rowAndBatchProducts(37, cols, format);
            }
        }
    }

    private static void rowAndBatchProducts(int rows, int cols, QinsFormat format) {
        QinsTensor t = tensor(rows, cols, cols, format);
        LayerSpec spec = new LayerSpec("native", rows, cols);
        QinsLinear scalar = new QinsLinear(spec, t, Parallel.SEQUENTIAL, QinsKernels.SCALAR.create(t), null);
        for (Parallel p : new Parallel[] {Parallel.SEQUENTIAL, new ChunkedParallel()}) {
            QinsLinear nat = new QinsLinear(spec, t, p, QinsKernels.NATIVE.create(t), null);
            assertThat(nat.describe()).contains("kernel=" + (format == QINS8 ? "qins8" : "qins9") + "-native-avx512");
            for (int batch : new int[] {1, 2, 4, 7, 8}) {
                float[] x = QinsLinearTest.input(batch * 31, batch * cols);
                float[] want = new float[batch * rows];
                float[] got = new float[batch * rows];
                scalar.forward(x, want, batch);
                nat.forward(x, got, batch);
                for (int b = 0; b < batch; b++) {
                    for (int o = 0; o < rows; o++) {
                        double mag = 0;
                        for (int i = 0; i < cols; i++) {
                            mag += Math.abs(x[b * cols + i]) * t.maxScale();
                        }
                        assertThat(got[b * rows + o]).as("batch %d row %d", b, o)
                                .isCloseTo(want[b * rows + o], org.assertj.core.data.Offset.offset((float) (1e-6 * mag)));
                    }
                }
            }
        }
        // more than eight vectors: passes of eight and a rest
        QinsKernel k = QinsKernels.NATIVE.create(t);
        int batch = 11;
        float[] x = QinsLinearTest.input(77, batch * cols);
        float[] got = new float[batch * rows];
        k.dotRowsBatch(0, rows, k.prepareInput(x, batch), cols, batch, got, rows, new float[batch * cols]);
        QinsLinearTest.checkAgainstDecoded(t, x, got, batch);
        // single rows at an input offset (dotRow): every row, the last one included, against the scalar kernel
        QinsKernel ref = QinsKernels.SCALAR.create(t);
        float[] scratch = new float[cols];
        for (int o = 0; o < rows; o++) {
            int off = (o % 3) * cols;
            double mag = 0;
            for (int i = 0; i < cols; i++) {
                mag += Math.abs(x[off + i]) * t.maxScale();
            }
            assertThat(k.dotRow(o, x, off, scratch)).as("dotRow %d", o)
                    .isCloseTo(ref.dotRow(o, x, off, scratch), org.assertj.core.data.Offset.offset((float) (1e-6 * mag)));
        }
    }

    /** bf16 of a finite float, nearest with ties to even: written here, apart from the kernel's table. */
    private static double bf16(float v) {
        int b = Float.floatToRawIntBits(v);
        return Float.intBitsToFloat(((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16) << 16);
    }

    /**
     * kernel=bf16: each one-vector product equals, to float summation rounding, the sum over groups of scale x the
     * products of the bf16-rounded unscaled magnitudes (the codec's own table, signs from the tensor) and the
     * bf16-rounded inputs, summed here in double. Its loss against the exact product stays within 2^-7 of the sum of
     * |w x| (both roundings are at most 2^-9 relative). Batched products stay exact.
     */
    @Test
    void bf16ProductIsTheSumOfBf16RoundedWeightsAndInputs() {
        assumeTrue(NativeKernels.bf16Available(), NativeKernels::bf16Status);
        for (QinsFormat format : new QinsFormat[] {QinsFormat.DEFAULTS, QINS8}) {
            int mask = format == QINS8 ? 0x7F : 0xFF;
            for (int cols : new int[] {32, 96, 100, 688, 1061, 2048}) {
                int rows = 13;
                QinsTensor t = tensor(rows, cols, cols + 5, format);
                QinsKernel k = QinsKernels.BF16.create(t);
                assertThat(k.name()).endsWith("-native-avx512-bf16");
                float[] x = QinsLinearTest.input(cols, cols);
                x[cols / 2] = 1e-3f * (1 + 0x1.8p-9f); // a value that rounds up in bf16
                float[] out = new float[rows];
                k.dotRows(0, rows, k.prepareInput(x, 1), out, null);
                for (int o = 0; o < rows; o++) {
                    double ref = 0;
                    double mag = 0;
                    double exact = 0;
                    for (int g0 = 0; g0 < cols; g0 += 32) {
                        float scale = t.scaleAt(t.rangeIndex(o, g0));
                        double inner = 0;
                        for (int i = g0; i < Math.min(cols, g0 + 32); i++) {
                            int c = t.codes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) o * cols + i) & mask;
                            double m = c == 0 ? 0 : bf16(t.sharedTable[c]) * (t.signBit(o, i) == 1 ? -1 : 1);
                            inner += m * bf16(x[i]);
                            mag += Math.abs(scale * m * x[i]);
                        }
                        ref += scale * inner;
                    }
                    float[] w = new float[cols];
                    t.decodeRow(o, w, 0);
                    for (int i = 0; i < cols; i++) {
                        exact += (double) w[i] * x[i];
                    }
                    assertThat((double) out[o]).as("%s cols %d row %d", format.layout(), cols, o)
                            .isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-6 * mag + 1e-30));
                    assertThat((double) out[o]).as("loss, row %d", o).isCloseTo(exact, org.assertj.core.data.Offset.offset(0x1p-7 * mag + 1e-30));
                    assertThat(k.dotRow(o, x, 0, null)).as("dotRow %d", o).isEqualTo(out[o]);
                }
                // the decode steps' loss is real (the kernel is not exact by accident) and batches stay exact
                QinsLinear layer = new QinsLinear(new LayerSpec("bf16", rows, cols), t, new ChunkedParallel(), k, null);
                float[] y = new float[3 * rows];
                float[] xs = QinsLinearTest.input(3, 3 * cols);
                layer.forward(xs, y, 3);
                QinsLinearTest.checkAgainstDecoded(t, xs, y, 3);
            }
        }
    }

    @Test
    void bf16IsRefusedWithTheReasonWhereItCannotRun() {
        QinsTensor t = tensor(4, 64, 1, QinsFormat.DEFAULTS);
        if (!NativeKernels.bf16Available()) {
            assertThatThrownBy(() -> QinsKernels.BF16.create(t)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("kernel bf16").hasMessageContaining("unavailable: ");
            return;
        }
        QinsTensor seed = QinsCodec.encode("seedlayer", Weights.heavyTailed(1, 4 * 128, 0.02), 4, 128, QinsFormat.SEED);
        assertThatThrownBy(() -> QinsKernels.BF16.create(seed)).hasMessageContaining("seedlayer").hasMessageContaining("kernel bf16");
    }

    @Test
    void nativeIsRefusedByNameWhereItCannotRun() {
        QinsTensor seed = QinsCodec.encode("seedlayer", Weights.heavyTailed(1, 4 * 128, 0.02), 4, 128, QinsFormat.SEED);
        assertThatThrownBy(() -> QinsKernels.NATIVE.create(seed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seedlayer").hasMessageContaining("kernel native");
        QinsFormat blocks64 = new QinsFormat(QinsLayout.QINS9, Grouping.block(64), RangePolicy.CLIPPED, 254.0 / 16, BelowRange.NEAREST);
        QinsTensor wide = QinsCodec.encode("widelayer", Weights.heavyTailed(1, 4 * 128, 0.02), 4, 128, blocks64);
        assertThatThrownBy(() -> QinsKernels.NATIVE.create(wide)).hasMessageContaining("widelayer")
                .hasMessageContaining(NativeKernels.available() ? "blocks of 32" : NativeKernels.status());
        // auto falls back to the Java kernels for what the native loops do not take
        assertThat(QinsKernels.AUTO.create(wide).name()).contains("vector");
    }
}
