package org.qins.codec;

import org.qins.api.kernel.VectorMath;

/**
 * For formats the table kernels do not cover (per-group widths, a width without a power-of-two
 * number of codes per octave): scalar decode of a row into a tile, vector dot products over it.
 */
final class TiledVectorKernel implements QinsKernel {

    private final QinsTensor t;

    TiledVectorKernel(QinsTensor t) {
        this.t = t;
    }

    @Override
    public float dotRow(int row, float[] x, int xOff, float[] scratch) {
        t.decodeRow(row, scratch, 0);
        return VectorMath.dot(scratch, 0, x, xOff, t.cols);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        t.decodeRow(row, dst, off);
    }

    @Override
    public float dotDecoded(float[] w, float[] x, int xOff, int n) {
        return VectorMath.dot(w, 0, x, xOff, n);
    }

    @Override
    public String name() {
        return "tiled-vector";
    }
}
