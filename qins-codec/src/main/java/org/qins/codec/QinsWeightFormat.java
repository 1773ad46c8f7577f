package org.qins.codec;

import java.util.List;
import org.qins.api.LayerSpec;
import org.qins.api.OptionSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;

/**
 * A QINS layout as a weight format: {@code qins9}, {@code qins8} or {@code qins8-seed}. The
 * stored parts and metadata are {@link QinsTensor}'s; the options choose grouping, range policy
 * and width ({@link QinsFormat#optionSpecs}).
 */
public abstract sealed class QinsWeightFormat implements WeightFormat {

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

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        return QinsCodec.decodeToView(QinsTensor.fromStored(spec, stored));
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored, java.lang.foreign.SegmentAllocator memory) {
        return QinsCodec.decodeToView(QinsTensor.fromStored(spec, stored), memory);
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
