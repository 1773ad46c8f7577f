package org.qins.transformer.generate;

import java.util.Set;

/**
 * How to generate.
 *
 * @param maxNewTokens tokens to produce at most
 * @param temperature  0 = greedy
 * @param topP         nucleus mass (1 = off)
 * @param seed         sampling seed
 * @param stopTokens   ids that end generation (EOS); empty = never stop early
 */
public record GenerationOptions(int maxNewTokens, float temperature, float topP, long seed, Set<Integer> stopTokens) {

    public GenerationOptions {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        }
        stopTokens = Set.copyOf(stopTokens);
    }

    public static GenerationOptions greedy(int maxNewTokens, Set<Integer> stopTokens) {
        return new GenerationOptions(maxNewTokens, 0f, 1f, 0L, stopTokens);
    }
}
