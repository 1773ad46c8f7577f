package org.qins.server.batch;

/** The scheduler's queue of waiting requests is full, or the scheduler is shutting down. */
public final class QueueFullException extends Exception {

    private final boolean closing;

    QueueFullException(String message, boolean closing) {
        super(message);
        this.closing = closing;
    }

    /** True when the scheduler refuses because it is shutting down (not because it is busy). */
    public boolean closing() {
        return closing;
    }
}
