package org.qins.transformer.model;

/**
 * The forward pass produced NaN or an infinity: the message names the layer (or the LM head) and
 * the position, so a model whose weights pass the load-time checks but overflow on some input is
 * stopped instead of emitting token 0 forever.
 */
public final class NonFiniteException extends RuntimeException {

    public NonFiniteException(String message) {
        super(message);
    }
}
