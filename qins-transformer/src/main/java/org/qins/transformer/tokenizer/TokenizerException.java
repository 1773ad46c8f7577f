package org.qins.transformer.tokenizer;

/** A tokenizer file that cannot be read or used; the message names the file. */
public final class TokenizerException extends IllegalArgumentException {

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
