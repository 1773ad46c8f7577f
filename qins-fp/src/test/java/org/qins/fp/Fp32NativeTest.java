package org.qins.fp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qins.api.DType;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Options;
import org.qins.api.Parallel;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/** The native float32 product of one vector against the plain sum, and the kernel option around it. */
class Fp32NativeTest {

    private static final Fp32LinearProvider PROVIDER = new Fp32LinearProvider();

    private static LayerContext context(Parallel parallel, String kernel) {
        return new LayerContext(parallel, Options.of(Fp32LinearProvider.NAME, PROVIDER.options(), Map.of(Fp32LinearProvider.KERNEL, kernel)));
    }

    /** Runs body on [0, n) in three uneven chunks, in reverse order (as workers might). */
    private static final Parallel CHUNKED = new Parallel() {
        @Override
        public int threads() {
            return 3;
        }

        @Override
        public void forRange(int n, int grain, RangeBody body) {
            int a = n / 5;
            int b = n / 2;
            body.run(b, n);
            body.run(a, b);
            body.run(0, a);
        }
    };

    @Test
    void loadedWhereTheBuildHadACompilerAndTheCpuHasAvx512() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        boolean avx512 = Files.isReadable(cpuinfo) && Files.readString(cpuinfo).contains(" avx512f");
        boolean built = NativeFloatKernels.class.getResource(NativeFloatKernels.RESOURCE) != null;
        assertThat(NativeFloatKernels.available()).as(NativeFloatKernels.status()).isEqualTo(avx512 && built);
    }

    @ParameterizedTest
    @CsvSource({"1,1", "3,15", "4,16", "5,17", "37,100", "64,2048", "9,2063"})
    void nativeProductMatchesTheSumWithinRounding(int rows, int cols) {
        assumeTrue(NativeFloatKernels.available(), NativeFloatKernels::status);
        SplittableRandom r = new SplittableRandom(rows * 131L + cols);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.05f;
        }
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) r.nextGaussian();
        }
        // weights off-heap (as mapped from a checkpoint) and on the heap
        MemorySegment off = java.lang.foreign.Arena.ofAuto().allocate(4L * w.length, 64);
        MemorySegment.copy(w, 0, off, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, w.length);
        for (MemorySegment seg : new MemorySegment[] {off, MemorySegment.ofArray(w)}) {
            TensorView t = new TensorView("w.weight", DType.F32, new long[] {rows, cols}, seg);
            LayerSpec spec = new LayerSpec("w", rows, cols);
            for (Parallel p : new Parallel[] {Parallel.SEQUENTIAL, CHUNKED}) {
                LinearLayer layer = PROVIDER.load(spec, StoredWeight.ofFloat("w", t), context(p, "native"));
                assertThat(layer.describe()).endsWith("kernel=native");
                float[] y = new float[rows];
                layer.forward(x, y, 1);
                for (int o = 0; o < rows; o++) {
                    double sum = 0;
                    double mag = 0;
                    for (int i = 0; i < cols; i++) {
                        sum += (double) w[o * cols + i] * x[i];
                        mag += Math.abs((double) w[o * cols + i] * x[i]);
                    }
                    assertThat((double) y[o]).as("row %d", o).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-6 * mag + 1e-30));
                }
            }
        }
    }

    @Test
    void autoTakesNativeForF32OnlyAndNativeIsRefusedByNameWhereItCannotRun() {
        LayerSpec spec = new LayerSpec("bfl", 4, 32);
        TensorView bf16 = new TensorView("bfl.weight", DType.BF16, new long[] {4, 32}, MemorySegment.ofArray(new short[4 * 32]));
        assertThat(PROVIDER.load(spec, StoredWeight.ofFloat("bfl", bf16), context(Parallel.SEQUENTIAL, "auto")).describe())
                .endsWith("kernel=vector");
        assertThatThrownBy(() -> PROVIDER.load(spec, StoredWeight.ofFloat("bfl", bf16), context(Parallel.SEQUENTIAL, "native")))
                .hasMessageContaining("bfl").hasMessageContaining("BF16");
        TensorView f32 = new TensorView("fl.weight", DType.F32, new long[] {4, 32}, MemorySegment.ofArray(new float[4 * 32]));
        LayerSpec fspec = new LayerSpec("fl", 4, 32);
        String auto = PROVIDER.load(fspec, StoredWeight.ofFloat("fl", f32), context(Parallel.SEQUENTIAL, "auto")).describe();
        assertThat(auto).endsWith(NativeFloatKernels.available() ? "kernel=native" : "kernel=vector");
        if (!NativeFloatKernels.available()) {
            assertThatThrownBy(() -> PROVIDER.load(fspec, StoredWeight.ofFloat("fl", f32), context(Parallel.SEQUENTIAL, "native")))
                    .hasMessageContaining("fl").hasMessageContaining(NativeFloatKernels.status());
        }
        assertThatThrownBy(() -> PROVIDER.load(fspec, StoredWeight.ofFloat("fl", f32), context(Parallel.SEQUENTIAL, "fast")))
                .hasMessageContaining("kernel");
    }
}
