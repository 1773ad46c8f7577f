package org.qins.server.batch;

/** Why an answer ended: a stop token or stop string ({@code stop}), or the token limit ({@code length}). */
public enum FinishReason {
    STOP("stop"),
    LENGTH("length");

    private final String openAiName;

    FinishReason(String openAiName) {
        this.openAiName = openAiName;
    }

    /** The {@code finish_reason} value of the OpenAI API. */
    public String openAiName() {
        return openAiName;
    }
}
