package org.qins.server.openai;

/**
 * A checked {@code POST /v1/completions} body: the prompt as text, or as token ids when the client
 * sent an array of integers (then {@code text} is null).
 */
public record CompletionRequest(String model, String text, int[] tokenIds, Sampling sampling) {
}
