package org.qins.transformer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.api.DType;
import org.qins.api.TensorView;

class FiniteCheckTest {

    private static final Path FILE = Path.of("m", "model.safetensors");

    private static TensorView of(DType dtype, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            switch (dtype) {
                case F32 -> b.putFloat(f);
                case F16 -> b.putShort(Float.floatToFloat16(f));
                case BF16 -> b.putShort((short) (Float.floatToRawIntBits(f) >>> 16));
                default -> throw new IllegalArgumentException();
            }
        }
        return new TensorView("w", dtype, new long[] {v.length}, MemorySegment.ofArray(b.array()));
    }

    private static float[] weights(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i) * (i % 7 == 0 ? 300f : 0.02f);
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16"})
    void findsTheFirstBadElementAnywhereInTheVectorBodyOrTail(String name) {
        DType dtype = DType.valueOf(name);
        // Odd and even lengths: 16-bit values are read in pairs, the odd last one alone.
        for (int n : new int[] {1000, 999}) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                for (int at : new int[] {0, 17, 510, 511, n - 1}) {
                    float[] v = weights(n);
                    v[at] = bad;
                    v[Math.min(n - 1, at + 3)] = bad;
                    assertThat(FiniteCheck.firstBadWeight(of(dtype, v))).as("%s %s at %d of %d", name, bad, at, n).isEqualTo(at);
                }
            }
        }
        assertThat(FiniteCheck.firstBadWeight(of(dtype, weights(1000)))).isEqualTo(-1);
        assertThat(FiniteCheck.firstBadWeight(of(dtype, new float[0]))).isEqualTo(-1);
    }

    @Test
    void valuesBeyondTwoToThe48AreRefusedUpToIt() {
        for (DType dtype : new DType[] {DType.F32, DType.BF16}) {
            float[] v = weights(100);
            v[42] = -FiniteCheck.MAX_WEIGHT;
            assertThat(FiniteCheck.firstBadWeight(of(dtype, v))).isEqualTo(-1);
            v[42] = Math.nextUp(FiniteCheck.MAX_WEIGHT) * (dtype == DType.BF16 ? 1.01f : 1f);
            assertThat(FiniteCheck.firstBadWeight(of(dtype, v))).isEqualTo(42);
            v[42] = 3e38f;
            assertThat(FiniteCheck.firstBadWeight(of(dtype, v))).isEqualTo(42);
        }
        // Every finite F16 (at most 65504) is in range.
        assertThat(FiniteCheck.firstBadWeight(of(DType.F16, new float[] {65504f, -65504f}))).isEqualTo(-1);
    }

    @Test
    void theErrorNamesFileTensorValueAndIndex() {
        float[] v = weights(12);
        v[7] = Float.NaN;
        TensorView t = new TensorView("model.norm.weight", DType.F32, new long[] {3, 4}, of(DType.F32, v).data());
        assertThatThrownBy(() -> FiniteCheck.requireFiniteWeights(t, FILE)).isInstanceOf(CheckpointException.class)
                .hasMessage(FILE + ": tensor 'model.norm.weight' holds NaN at element 7 (index [1, 3]) (weights must be finite numbers)");
        v[7] = 3e38f;
        TensorView big = new TensorView("lm_head.weight", DType.F32, new long[] {12}, of(DType.F32, v).data());
        assertThatThrownBy(() -> FiniteCheck.requireFiniteWeights(big, FILE))
                .hasMessage(FILE + ": tensor 'lm_head.weight' holds the value 3.0E38 at element 7 (weights must stay within +-2^48,"
                        + " or the float math overflows)");
    }

    @Test
    void integerTensorsAreNotFloatsAndPass() {
        TensorView codes = TensorView.ofBytes("codes", new byte[] {(byte) 0xff, 0x7f, (byte) 0x80}, 3);
        assertThat(FiniteCheck.firstBadWeight(codes)).isEqualTo(-1);
    }

    @Test
    void activationsAreScannedForNaNAndInfinityOnly() {
        float[] a = new float[1003];
        Arrays.fill(a, 3e38f);
        assertThat(FiniteCheck.firstNonFinite(a, 0, a.length)).isEqualTo(-1);
        a[1001] = Float.NEGATIVE_INFINITY;
        assertThat(FiniteCheck.firstNonFinite(a, 0, a.length)).isEqualTo(1001);
        assertThat(FiniteCheck.firstNonFinite(a, 0, 1000)).isEqualTo(-1);
        a[5] = Float.NaN;
        assertThat(FiniteCheck.firstNonFinite(a, 3, 1000)).isEqualTo(5);
        assertThat(FiniteCheck.firstNonFinite(a, 6, 996)).isEqualTo(1001);
    }
}
