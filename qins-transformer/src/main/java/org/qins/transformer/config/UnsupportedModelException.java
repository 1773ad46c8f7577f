package org.qins.transformer.config;

/** A model directory the engine cannot run: its message says which file and which setting. */
public final class UnsupportedModelException extends IllegalArgumentException {

    public UnsupportedModelException(String message) {
        super(message);
    }
}
