package org.qins.server.openai;

/** Token counts of one request: the prompt as tokenized, and every sampled token (a stop token included). */
public record Usage(int promptTokens, int completionTokens) {

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
