package org.qins.server.batch;

import java.util.List;
import java.util.Set;

/**
 * What one request asks the scheduler for.
 *
 * @param prompt      token ids to continue (at least one)
 * @param maxTokens   tokens to generate at most (at least one)
 * @param temperature 0 = greedy
 * @param topP        nucleus mass in (0, 1]
 * @param seed        sampling seed
 * @param stopTokens  ids that end the answer (not part of its text)
 * @param stopStrings texts that end the answer (cut from its text)
 */
public record GenerationRequest(int[] prompt, int maxTokens, float temperature, float topP, long seed, Set<Integer> stopTokens,
        List<String> stopStrings) {

    public GenerationRequest {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
        }
        stopTokens = Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
    }

    /** KV positions the request needs: the prompt and every generated token but the last, which is never fed. */
    public int positions() {
        return prompt.length + maxTokens;
    }
}
