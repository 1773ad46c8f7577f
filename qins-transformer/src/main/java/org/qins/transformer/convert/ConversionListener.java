package org.qins.transformer.convert;

/** Progress of a conversion; the CLI draws a progress bar from it. */
public interface ConversionListener {

    ConversionListener NONE = new ConversionListener() {
    };

    /** Called once with the number of tensors and their source bytes. */
    default void started(int tensors, long sourceBytes) {
    }

    /** Called after each tensor, with its source bytes and whether it was encoded. */
    default void tensorDone(String name, long sourceBytes, boolean encoded) {
    }
}
