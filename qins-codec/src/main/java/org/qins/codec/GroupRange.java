package org.qins.codec;

/**
 * The stored range of one group: {@code scale = exp(log_max)} as stored (so the largest weight
 * decodes exactly) and {@code width = log_max - log_min} in nats, already rounded to what is stored.
 * A scale of 0 marks an all-zero group.
 */
record GroupRange(float scale, double width) {

    static final GroupRange ZERO = new GroupRange(0f, 0);

    double logMax() {
        return Math.log(scale);
    }

    double logMin() {
        return logMax() - width;
    }
}
