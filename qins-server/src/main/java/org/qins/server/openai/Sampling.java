package org.qins.server.openai;

import java.util.List;

/**
 * The sampling fields shared by chat and text completions, checked.
 *
 * @param temperature   0 to 2 (0 = greedy)
 * @param topP          0 to 1 (0 = greedy)
 * @param maxTokens     the requested limit, or null (then: whatever the context leaves)
 * @param maxTokensName the field that gave it ({@code max_tokens} or {@code max_completion_tokens})
 * @param stop          up to 4 non-empty stop strings
 * @param seed          the seed, or null (then a random one)
 * @param stream        answer with server-sent events
 * @param includeUsage  {@code stream_options.include_usage}
 */
public record Sampling(float temperature, float topP, Integer maxTokens, String maxTokensName, List<String> stop, Long seed,
        boolean stream, boolean includeUsage) {

    /** True when the answer is the most likely token each time. */
    public boolean greedy() {
        return temperature == 0f || topP == 0f;
    }
}
