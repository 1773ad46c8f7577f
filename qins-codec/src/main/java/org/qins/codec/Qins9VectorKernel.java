package org.qins.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** Table kernel for 255-level codes with a sign bit-plane (qins9, and qins8-seed repacked at load). */
final class Qins9VectorKernel extends LutVectorKernel {

    private static final IntVector SIGN_SHIFTS = IntVector.fromArray(I, shifts(), 0);

    private final MemorySegment signs;
    private final int signStride;

    Qins9VectorKernel(QinsTensor t) {
        super(t);
        this.signs = t.signs;
        this.signStride = t.signStride;
    }

    @Override
    FloatVector decode(int row, long codeBase, int i) {
        IntVector c = loadCodes(codeBase, i).and(0xFF);
        IntVector bits = magnitudeBits(c);
        long signOff = (long) row * signStride + (i >>> 3);
        long s = L == 16 ? signs.get(QinsTensor.I16, signOff) & 0xFFFF : signs.get(ValueLayout.JAVA_BYTE, signOff) & 0xFF;
        // Lane k's sign bit: bit k of the plane word shifted to bit 31 (no mask register round trip).
        IntVector sign = IntVector.broadcast(I, (int) s).lanewise(VectorOperators.LSHL, SIGN_SHIFTS).and(0x80000000);
        bits = bits.or(sign).blend(0, c.eq(0));
        return bits.reinterpretAsFloats();
    }

    private static int[] shifts() {
        int[] s = new int[L];
        for (int k = 0; k < L; k++) {
            s[k] = 31 - k;
        }
        return s;
    }

    @Override
    public String name() {
        return "qins9-vector-" + L;
    }
}
