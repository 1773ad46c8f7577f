package org.qins.transformer.chat;

/**
 * What one chat template render may use. A template is code from the model's files: without
 * limits, nested loops run for minutes and string doubling ends in an OutOfMemoryError.
 *
 * @param maxChars  longest rendered prompt and longest string built while rendering, in characters
 * @param maxItems  largest list or map a template may build
 * @param maxSteps  template nodes rendered (each tag, expression or text block counts once per visit)
 * @param maxMillis wall-clock time of one render
 */
public record TemplateLimits(long maxChars, int maxItems, long maxSteps, long maxMillis) {

    /**
     * Generous for real templates (a 128k-token conversation renders to about 0.5 M characters and a
     * few hundred thousand steps), small enough to stop a hostile one within seconds.
     */
    public static final TemplateLimits DEFAULT = new TemplateLimits(8L << 20, 100_000, 2_000_000, 5_000);

    public TemplateLimits {
        if (maxChars < 1 || maxItems < 1 || maxSteps < 1 || maxMillis < 1) {
            throw new IllegalArgumentException("template limits must be positive: " + maxChars + ", " + maxItems + ", " + maxSteps
                    + ", " + maxMillis);
        }
    }
}
