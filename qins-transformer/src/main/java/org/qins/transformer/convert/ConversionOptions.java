package org.qins.transformer.convert;

import java.util.Map;

/**
 * What to convert and how.
 *
 * @param format        the weight format to store the block weights in ({@code qins9}, {@code qins8}, ...)
 * @param formatOptions the format's options ({@code group}, {@code policy}, ...), checked against what it declares
 * @param encodeHead    also encode {@code lm_head.weight} (an untied head only; embeddings stay float)
 */
public record ConversionOptions(String format, Map<String, String> formatOptions, boolean encodeHead) {

    public ConversionOptions {
        formatOptions = Map.copyOf(formatOptions);
    }

    public static ConversionOptions of(String format, Map<String, String> formatOptions) {
        return new ConversionOptions(format, formatOptions, false);
    }

    public ConversionOptions withEncodeHead(boolean head) {
        return new ConversionOptions(format, formatOptions, head);
    }
}
