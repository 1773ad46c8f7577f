package org.qins.transformer.arch;

/**
 * The four linear steps of a decoder block, each one or several stored tensors whose outputs lie
 * side by side: {@code [q | k | v]}, {@code o}, {@code [gate | up]}, {@code down}.
 */
public enum Projection {
    QKV,
    O,
    GATE_UP,
    DOWN
}
