package org.qins.transformer.gguf;

import java.lang.foreign.MemorySegment;

/**
 * One tensor of a GGUF file.
 *
 * @param name   its GGUF name ({@code blk.0.attn_q.weight})
 * @param type   element type
 * @param shape  row-major shape, slowest dimension first (GGUF lists {@code ne[0]}, the fastest, first)
 * @param offset offset of its data from the start of the data section
 * @param data   its bytes in the mapped file
 */
record GgufTensorInfo(String name, GgmlType type, long[] shape, long offset, MemorySegment data) {

    /** Elements along the fastest dimension (a row). */
    long rowLength() {
        return shape[shape.length - 1];
    }

    long rows() {
        return elementCount() / rowLength();
    }

    long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    String describe() {
        return "'" + name + "' (" + type + java.util.Arrays.toString(shape) + ")";
    }
}
