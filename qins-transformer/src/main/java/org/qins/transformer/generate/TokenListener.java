package org.qins.transformer.generate;

/** Told about each generated token, with the logits it was chosen from (valid during the call only). */
@FunctionalInterface
public interface TokenListener {

    TokenListener NONE = (step, token, logits) -> { };

    void onToken(int step, int token, float[] logits);
}
