package org.qins.transformer.convert;

import java.util.Map;
import org.qins.transformer.calibrate.CalibrationStatistics;
import org.qins.transformer.checkpoint.ShardedCheckpointWriter;

/**
 * What to convert and how.
 *
 * @param format        the weight format to store the block weights in ({@code qins9}, {@code qins8}, ...)
 * @param formatOptions the format's options ({@code group}, {@code policy}, ...), checked against what it declares
 * @param encodeHead    also encode {@code lm_head.weight} (an untied head only; embeddings stay float)
 * @param calibration   statistics of the block linears' inputs to encode with (the format must implement
 *                      {@link org.qins.api.CalibratedEncoding}), or null to encode without
 * @param shardBytes    most tensor bytes per output shard (the Hub's 5 GB by default); a smaller output is one file
 */
public record ConversionOptions(String format, Map<String, String> formatOptions, boolean encodeHead,
        CalibrationStatistics calibration, long shardBytes) {

    public ConversionOptions {
        formatOptions = Map.copyOf(formatOptions);
        if (shardBytes <= 0) {
            throw new IllegalArgumentException("shard size must be > 0, got " + shardBytes);
        }
    }

    public ConversionOptions(String format, Map<String, String> formatOptions, boolean encodeHead) {
        this(format, formatOptions, encodeHead, null, ShardedCheckpointWriter.HUB_SHARD_BYTES);
    }

    public static ConversionOptions of(String format, Map<String, String> formatOptions) {
        return new ConversionOptions(format, formatOptions, false);
    }

    public ConversionOptions withEncodeHead(boolean head) {
        return new ConversionOptions(format, formatOptions, head, calibration, shardBytes);
    }

    /** These options with calibration statistics (null: none). */
    public ConversionOptions withCalibration(CalibrationStatistics statistics) {
        return new ConversionOptions(format, formatOptions, encodeHead, statistics, shardBytes);
    }

    /** These options writing shards of at most {@code bytes} tensor bytes. */
    public ConversionOptions withShardBytes(long bytes) {
        return new ConversionOptions(format, formatOptions, encodeHead, calibration, bytes);
    }
}
