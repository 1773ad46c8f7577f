package org.qins.transformer.convert;

import java.util.Map;
import org.qins.api.EncodeOptions;

/**
 * What to convert and how.
 *
 * @param provider   the encoding provider's name ({@code qins} unless told otherwise)
 * @param encode     options handed to the provider's {@code encode} (layout, group, policy, width)
 * @param encodeHead also encode {@code lm_head.weight} (an untied head only; embeddings stay float)
 */
public record ConversionOptions(String provider, EncodeOptions encode, boolean encodeHead) {

    public static ConversionOptions of(String provider, Map<String, String> encode) {
        return new ConversionOptions(provider, new EncodeOptions(encode), false);
    }

    public ConversionOptions withEncodeHead(boolean head) {
        return new ConversionOptions(provider, encode, head);
    }
}
