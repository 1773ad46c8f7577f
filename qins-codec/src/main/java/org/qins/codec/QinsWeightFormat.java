package org.qins.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qins.api.CalibratedEncoding;
import org.qins.api.InputStatistics;
import org.qins.api.LayerSpec;
import org.qins.api.OptionSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;
import org.qins.api.WeightStatistics;

/**
 * A QINS layout as a weight format: {@code qins9}, {@code qins8} or {@code qins8-seed}. The
 * stored parts and metadata are {@link QinsTensor}'s; the options choose grouping, range policy
 * and width ({@link QinsFormat#optionSpecs}). With calibration statistics the clipped formats
 * encode GPTQ-style ({@link GptqEncoder}).
 */
public abstract sealed class QinsWeightFormat implements WeightFormat, CalibratedEncoding {

    private final QinsLayout layout;

    QinsWeightFormat(QinsLayout layout) {
        this.layout = layout;
    }

    @Override
    public String name() {
        return layout.id();
    }

    @Override
    public String description() {
        return switch (layout) {
            case QINS9 -> "QINS code byte + sign bit-plane, ranges per block (default: blocks of 32, 1.1875 B/weight)";
            case QINS8 -> "QINS sign bit + 7-bit code, ranges per block (default: blocks of 32, 1.0625 B/weight)";
            case QINS8_SEED -> "the original QINS layout: code byte + sign byte, one range per tensor (2 B/weight)";
        };
    }

    @Override
    public List<OptionSpec> options() {
        return QinsFormat.optionSpecs(layout);
    }

    /** The encoding these options describe (they are checked against {@link #options()}). */
    public QinsFormat format(Options options) {
        return QinsFormat.fromOptions(layout, options.bind("weight format '" + name() + "'", options()));
    }

    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, Options options) {
        return encode(spec, weight, options, java.lang.foreign.Arena.ofAuto());
    }

    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, Options options, java.lang.foreign.SegmentAllocator memory) {
        spec.checkShape(weight);
        if (!weight.dtype().isFloat()) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': cannot encode " + weight + ", not a float tensor");
        }
        QinsFormat format;
        try {
            format = format(options);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': " + e.getMessage(), e);
        }
        return QinsCodec.encode(spec.name(), weight, format, memory).toStored(memory);
    }

    /** Refuses a layout or options {@link GptqEncoder} cannot encode (qins8-seed, policy minmax or mse, group=tensor). */
    @Override
    public void checkCalibrated(Options options) {
        String why = GptqEncoder.unsupported(format(options));
        if (why != null) {
            throw new IllegalArgumentException("weight format '" + name() + "': " + why);
        }
    }

    /** GPTQ on the log grid ({@link GptqEncoder}): clipped formats with row or block ranges. */
    @Override
    public StoredWeight encodeCalibrated(LayerSpec spec, TensorView weight, Options options, InputStatistics inputs) {
        spec.checkShape(weight);
        if (!weight.dtype().isFloat()) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': cannot encode " + weight + ", not a float tensor");
        }
        if (inputs.inFeatures() != spec.inFeatures()) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': input statistics of " + inputs.inFeatures()
                    + " inputs for a layer of " + spec.inFeatures());
        }
        QinsFormat format;
        try {
            format = format(options);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': " + e.getMessage(), e);
        }
        return GptqEncoder.encode(spec.name(), weight, format, inputs.gram()).toStored();
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        return QinsCodec.decodeToView(QinsTensor.fromStored(spec, stored));
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored, java.lang.foreign.SegmentAllocator memory) {
        return QinsCodec.decodeToView(QinsTensor.fromStored(spec, stored), memory);
    }

    /** Name of the histogram of magnitude codes ({@code maxCode + 1} bins, the sign left out). */
    public static final String CODES_HISTOGRAM = "codes";

    /**
     * The magnitude codes of a stored weight: a histogram over {@code 0..maxCode} and three
     * counts: {@code zero code (0)} (exact zeros and weights below half the range's floor),
     * {@code top code (1)} (the top of the group's range: its largest weight, and with
     * {@code fit=mse} the weights above the fitted scale, saturated there) and
     * {@code bottom code (maxCode)} (the range's floor: weights clamped up to it from below).
     */
    @Override
    public WeightStatistics statistics(LayerSpec spec, StoredWeight stored) {
        QinsTensor t = QinsTensor.fromStored(spec, stored);
        int maxCode = layout.maxCode();
        int mask = layout.signInCode() ? 0x7F : 0xFF;
        long[] histogram = new long[maxCode + 1];
        MemorySegment codes = t.codes();
        for (long i = 0, n = codes.byteSize(); i < n; i++) {
            histogram[codes.get(ValueLayout.JAVA_BYTE, i) & mask]++;
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put(zeroCount(), histogram[0]);
        counts.put(topCount(), histogram[1]);
        counts.put(bottomCount(), histogram[maxCode]);
        return new WeightStatistics(spec.parameters(), counts, Map.of(CODES_HISTOGRAM, histogram));
    }

    /** The count of code 0 in {@link #statistics}. */
    public String zeroCount() {
        return "zero code (0)";
    }

    /** The count of code 1 in {@link #statistics}. */
    public String topCount() {
        return "top code (1)";
    }

    /** The count of the largest code in {@link #statistics}. */
    public String bottomCount() {
        return "bottom code (" + layout.maxCode() + ")";
    }

    /** {@code qins9}. */
    public static final class Qins9 extends QinsWeightFormat {
        public Qins9() {
            super(QinsLayout.QINS9);
        }
    }

    /** {@code qins8}. */
    public static final class Qins8 extends QinsWeightFormat {
        public Qins8() {
            super(QinsLayout.QINS8);
        }
    }

    /** {@code qins8-seed}. */
    public static final class Qins8Seed extends QinsWeightFormat {
        public Qins8Seed() {
            super(QinsLayout.QINS8_SEED);
        }
    }
}
