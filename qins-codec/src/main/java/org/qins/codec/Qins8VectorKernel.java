package org.qins.codec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Table kernel for qins8 (sign bit + 7-bit code): the byte is sign-extended into the int lane, so
 * its top bit already sits in the float sign position.
 */
final class Qins8VectorKernel extends LutVectorKernel {

    Qins8VectorKernel(QinsTensor t) {
        super(t);
    }

    @Override
    FloatVector decode(int row, long codeBase, int i) {
        IntVector raw = loadCodes(codeBase, i);
        IntVector c = raw.and(0x7F);
        IntVector bits = magnitudeBits(c).or(raw.and(0x80000000)).blend(0, c.eq(0));
        return bits.reinterpretAsFloats();
    }

    @Override
    public String name() {
        return "qins8-vector-" + L;
    }
}
