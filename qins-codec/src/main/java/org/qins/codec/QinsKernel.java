package org.qins.codec;

/** Decodes rows of one {@link QinsTensor} and takes their dot products. One instance per layer; thread-safe. */
interface QinsKernel {

    /** {@code sum_i W[row][i] * x[xOff + i]}; {@code scratch} holds at least {@code cols} floats. */
    float dotRow(int row, float[] x, int xOff, float[] scratch);

    /** Decodes row {@code row} into {@code dst[0, cols)}. */
    void decodeRow(int row, float[] dst);

    /** Dot product of an already decoded row with {@code x[xOff..]}. */
    float dotDecoded(float[] w, float[] x, int xOff, int n);

    String name();
}
