package org.qins.transformer.checkpoint;

/** A checkpoint that cannot be read or written as asked; the message names the file and tensor. */
public final class CheckpointException extends RuntimeException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
