package org.qins.codec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.qins.api.OptionSpec;
import org.qins.api.Options;

/**
 * Everything the encoder needs to know, and everything the checkpoint records so that decoding
 * never guesses.
 *
 * @param layout       code/sign layout
 * @param grouping     which weights share a range
 * @param policy       how {@code log_min} is chosen
 * @param widthOctaves range width below {@code log_max} for {@link RangePolicy#CLIPPED} (ignored otherwise)
 * @param below        what the encoder does with weights below the range
 * @param f16Scales    store clipped scales as fp16 where every one fits (with {@link ScaleFit#MAX}
 *                     rounded up: the largest weight of a group is then exact to fp16 rounding, 2^-11)
 * @param fit          how a clipped group's scale is chosen ({@link ScaleFit#MAX} for the other policies);
 *                     recorded in metadata for the reader, never needed to decode
 */
public record QinsFormat(QinsLayout layout, Grouping grouping, RangePolicy policy, double widthOctaves, BelowRange below,
        boolean f16Scales, ScaleFit fit) {

    /** Format version written to checkpoints. */
    public static final int VERSION = 1;

    /** 255-level layouts: 254 steps over 254/32 octaves = 32 codes per octave (decode = exponent + 32-entry mantissa table). */
    public static final double WIDTH_QINS9 = 254.0 / 32;
    /** 127-level layout: 126 steps over 126/16 octaves = 16 codes per octave. */
    public static final double WIDTH_QINS8 = 126.0 / 16;

    /**
     * The default encoding, in one place: qins9, blocks of 32 inputs, clipped at 32 codes per
     * octave, each block's scale fitted for least squared error. Chosen by
     * {@code CodecDefaultsMeasurementTest} (relative weight error on N(0, 0.02) weights with heavy
     * tails) and by model-level measurement ({@code CodecFidelityTest}, README).
     */
    public static final QinsFormat DEFAULTS = new QinsFormat(QinsLayout.QINS9, Grouping.block(32), RangePolicy.CLIPPED,
            WIDTH_QINS9, BelowRange.NEAREST, true, ScaleFit.MSE);

    /** The original seed format: one range per tensor, minmax. */
    public static final QinsFormat SEED =
            new QinsFormat(QinsLayout.QINS8_SEED, Grouping.TENSOR, RangePolicy.MINMAX, 0, BelowRange.NEAREST);

    // Option and metadata keys.
    static final String LAYOUT = "layout";
    public static final String GROUP = "group";
    public static final String POLICY = "policy";
    public static final String WIDTH = "width";
    public static final String BELOW = "below";
    public static final String SCALES = "scales";
    public static final String FIT = "fit";
    static final String META_PREFIX = "qins.";
    static final String META_VERSION = "qins.version";

    /** A format whose clipped scales are each group's largest {@code |w|} ({@link ScaleFit#MAX}). */
    public QinsFormat(QinsLayout layout, Grouping grouping, RangePolicy policy, double widthOctaves, BelowRange below) {
        this(layout, grouping, policy, widthOctaves, below, true);
    }

    /** A format whose clipped scales are each group's largest {@code |w|} ({@link ScaleFit#MAX}). */
    public QinsFormat(QinsLayout layout, Grouping grouping, RangePolicy policy, double widthOctaves, BelowRange below,
            boolean f16Scales) {
        this(layout, grouping, policy, widthOctaves, below, f16Scales, ScaleFit.MAX);
    }

    public QinsFormat withF16Scales(boolean f16) {
        return new QinsFormat(layout, grouping, policy, widthOctaves, below, f16, fit);
    }

    public QinsFormat withFit(ScaleFit f) {
        return new QinsFormat(layout, grouping, policy, widthOctaves, below, f16Scales, f);
    }

    public QinsFormat {
        if (layout == QinsLayout.QINS8_SEED && grouping.kind() != Grouping.Kind.TENSOR) {
            throw new IllegalArgumentException("layout qins8-seed has one range per tensor; group " + grouping + " is not allowed");
        }
        if (policy == RangePolicy.CLIPPED && !(widthOctaves > 0 && widthOctaves <= 64)) {
            throw new IllegalArgumentException("clipped policy needs a width in (0, 64] octaves, got " + widthOctaves);
        }
        if (policy != RangePolicy.CLIPPED) {
            widthOctaves = 0;
            fit = ScaleFit.MAX;
        }
        if (fit == null) {
            throw new IllegalArgumentException("scale fit must be given");
        }
    }

    /** The default clipped width of a layout: a power-of-two number of codes per octave. */
    public static double defaultWidth(QinsLayout layout) {
        return layout == QinsLayout.QINS8 ? WIDTH_QINS8 : WIDTH_QINS9;
    }

    /** The options a layout's {@link QinsWeightFormat} takes, with that layout's defaults. */
    public static List<OptionSpec> optionSpecs(QinsLayout layout) {
        QinsFormat base = defaultsOf(layout);
        return List.of(
                OptionSpec.text(GROUP, base.grouping.toString(), "weights that share one range: tensor, row, or a block of N inputs"),
                OptionSpec.choice(POLICY, base.policy.id(), "how each group's range is chosen", "minmax", "clipped", "mse"),
                OptionSpec.number(WIDTH, defaultWidth(layout), "range width in octaves below the group's largest magnitude"
                        + " (clipped only; the default gives a power-of-two number of codes per octave, decoded by table)"),
                OptionSpec.choice(BELOW, base.below.id(), "weights below the range: zero, clamp to its bottom, or the nearer of"
                        + " the two", "zero", "clamp", "nearest"),
                OptionSpec.choice(SCALES, "f16", "storage of clipped scales (f16 where every one fits)", "f16", "f32"),
                OptionSpec.choice(FIT, base.fit.id(), "how a clipped group's scale is chosen: max (its largest |w|) or mse"
                        + " (least squared error within one code step of it; decoding unchanged)", "max", "mse"));
    }

    /** The defaults of a layout: {@link #SEED} for qins8-seed, otherwise {@link #DEFAULTS} with the layout's width. */
    public static QinsFormat defaultsOf(QinsLayout layout) {
        return layout == QinsLayout.QINS8_SEED ? SEED
                : new QinsFormat(layout, DEFAULTS.grouping, DEFAULTS.policy, defaultWidth(layout), DEFAULTS.below, true, DEFAULTS.fit);
    }

    /** The format a layout's options describe (options already checked against {@link #optionSpecs}). */
    public static QinsFormat fromOptions(QinsLayout layout, Options o) {
        RangePolicy policy = RangePolicy.fromId(o.get(POLICY));
        for (String clippedOnly : new String[] {WIDTH, FIT}) {
            if (o.isGiven(clippedOnly) && policy != RangePolicy.CLIPPED) {
                throw new IllegalArgumentException("option '" + clippedOnly + "' applies to the clipped policy only, not " + policy.id());
            }
        }
        return new QinsFormat(layout, Grouping.parse(o.get(GROUP)), policy, o.number(WIDTH), BelowRange.fromId(o.get(BELOW)),
                o.get(SCALES).equals("f16"), ScaleFit.fromId(o.get(FIT)));
    }

    private static double parseWidth(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("width must be a number of octaves, got '" + s + "'");
        }
    }

    /** The metadata a checkpoint records for this format. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new HashMap<>();
        m.put(META_PREFIX + LAYOUT, layout.id());
        m.put(META_VERSION, Integer.toString(VERSION));
        m.put(META_PREFIX + GROUP, grouping.toString());
        m.put(META_PREFIX + POLICY, policy.id());
        m.put(META_PREFIX + BELOW, below.id());
        if (policy == RangePolicy.CLIPPED) {
            m.put(META_PREFIX + WIDTH, Double.toString(widthOctaves));
            m.put(META_PREFIX + FIT, fit.id());
        }
        return m;
    }

    /** Parses recorded metadata; {@code name} is used in error messages. */
    public static QinsFormat fromMetadata(String name, String format, Map<String, String> meta) {
        try {
            String version = require(meta, META_VERSION);
            if (!version.equals(Integer.toString(VERSION))) {
                throw new IllegalArgumentException("unsupported QINS format version " + version + " (this build reads " + VERSION + ")");
            }
            QinsLayout layout = QinsLayout.fromId(require(meta, META_PREFIX + LAYOUT));
            if (!layout.id().equals(format)) {
                throw new IllegalArgumentException("stored format " + format + " but metadata says layout " + layout.id());
            }
            RangePolicy policy = RangePolicy.fromId(require(meta, META_PREFIX + POLICY));
            double width = policy == RangePolicy.CLIPPED ? parseWidth(require(meta, META_PREFIX + WIDTH)) : 0;
            BelowRange below = BelowRange.fromId(meta.getOrDefault(META_PREFIX + BELOW, "nearest"));
            // Checkpoints written before the fit was recorded used the max.
            ScaleFit fit = ScaleFit.fromId(meta.getOrDefault(META_PREFIX + FIT, "max"));
            return new QinsFormat(layout, Grouping.parse(require(meta, META_PREFIX + GROUP)), policy, width, below, true, fit);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("weight '" + name + "': " + e.getMessage(), e);
        }
    }

    private static String require(Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException("metadata lacks '" + key + "'");
        }
        return v;
    }

    /** Log step (nats) shared by all groups: {@code W ln2 / steps}; clipped policy only. */
    public double sharedStep() {
        return widthOctaves * Math.log(2) / layout.steps();
    }

    @Override
    public String toString() {
        return layout.id() + " group=" + grouping + " policy=" + policy.id()
                + (policy == RangePolicy.CLIPPED ? " width=" + widthOctaves + " fit=" + fit.id() : "");
    }
}
