package org.qins.codec;

/** The portable path: scalar decode (table lookup or exp per code) and scalar dot products. */
final class ScalarKernel implements QinsKernel {

    private final QinsTensor t;

    ScalarKernel(QinsTensor t) {
        this.t = t;
    }

    @Override
    public float dotRow(int row, float[] x, int xOff, float[] scratch) {
        t.decodeRow(row, scratch, 0);
        return dotDecoded(scratch, x, xOff, t.cols);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        t.decodeRow(row, dst, off);
    }

    @Override
    public float dotDecoded(float[] w, float[] x, int xOff, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += w[i] * x[xOff + i];
        }
        return s;
    }

    @Override
    public String name() {
        return "scalar";
    }
}
