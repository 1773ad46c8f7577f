package org.qins.transformer.memory;

/** A task refused before it started because the memory it needs is not there; the message has both numbers. */
public final class InsufficientMemoryException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final long needed;
    private final long available;

    public InsufficientMemoryException(String message, long needed, long available) {
        super(message);
        this.needed = needed;
        this.available = available;
    }

    /** Bytes the task needs (of the kind that ran short). */
    public long needed() {
        return needed;
    }

    /** Bytes that were available (of that kind). */
    public long available() {
        return available;
    }
}
