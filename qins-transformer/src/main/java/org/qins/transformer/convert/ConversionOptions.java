package org.qins.transformer.convert;

import java.util.Map;
import org.qins.transformer.calibrate.CalibrationStatistics;

/**
 * What to convert and how.
 *
 * @param format        the weight format to store the block weights in ({@code qins9}, {@code qins8}, ...)
 * @param formatOptions the format's options ({@code group}, {@code policy}, ...), checked against what it declares
 * @param encodeHead    also encode {@code lm_head.weight} (an untied head only; embeddings stay float)
 * @param calibration   statistics of the block linears' inputs to encode with (the format must implement
 *                      {@link org.qins.api.CalibratedEncoding}), or null to encode without
 */
public record ConversionOptions(String format, Map<String, String> formatOptions, boolean encodeHead,
        CalibrationStatistics calibration) {

    public ConversionOptions {
        formatOptions = Map.copyOf(formatOptions);
    }

    public ConversionOptions(String format, Map<String, String> formatOptions, boolean encodeHead) {
        this(format, formatOptions, encodeHead, null);
    }

    public static ConversionOptions of(String format, Map<String, String> formatOptions) {
        return new ConversionOptions(format, formatOptions, false);
    }

    public ConversionOptions withEncodeHead(boolean head) {
        return new ConversionOptions(format, formatOptions, head, calibration);
    }

    /** These options with calibration statistics (null: none). */
    public ConversionOptions withCalibration(CalibrationStatistics statistics) {
        return new ConversionOptions(format, formatOptions, encodeHead, statistics);
    }
}
