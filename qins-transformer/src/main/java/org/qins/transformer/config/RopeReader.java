package org.qins.transformer.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Reads the rotary embedding settings of a config in both styles (transformers >= 5
 * {@code rope_parameters}; older top-level {@code rope_theta} + {@code rope_scaling}) and refuses
 * values that make the frequencies or the LongRoPE scale non-finite.
 */
final class RopeReader {

    private RopeReader() {
    }

    static RopeConfig read(JsonNode c, int headDim, int maxPos, String source) {
        ConfigFields top = new ConfigFields(c, source, "");
        // v5 keeps everything in rope_parameters; older configs split rope_theta and rope_scaling.
        JsonNode params = top.object("rope_parameters");
        JsonNode scalingNode = params != null ? params : top.object("rope_scaling");
        ConfigFields p = params == null ? null : new ConfigFields(params, source, "rope_parameters.");
        ConfigFields s = scalingNode == null ? null
                : new ConfigFields(scalingNode, source, params != null ? "rope_parameters." : "rope_scaling.");
        double theta = p != null && p.has("rope_theta") ? p.positiveFinite("rope_theta", 0) : top.positiveFinite("rope_theta", 10000.0);
        double partial = s != null && s.has("partial_rotary_factor") ? s.positiveFinite("partial_rotary_factor", 1)
                : top.positiveFinite("partial_rotary_factor", 1.0);
        int rotaryDim = (int) (headDim * partial);
        if (rotaryDim <= 0 || rotaryDim % 2 != 0 || rotaryDim > headDim) {
            throw new UnsupportedModelException(source + ": rotary dimension " + rotaryDim + " (head_dim " + headDim
                    + " x partial_rotary_factor " + partial + ") must be even and in (0, head_dim]");
        }
        String type = RopeConfig.DEFAULT;
        if (s != null) {
            type = s.has("rope_type") ? s.text("rope_type", type) : s.text("type", type);
        }
        type = type.toLowerCase(Locale.ROOT);
        RopeConfig rope = switch (type) {
            case RopeConfig.DEFAULT -> RopeConfig.standard(theta, rotaryDim);
            case RopeConfig.LONGROPE, "su" -> longRope(top, s, theta, rotaryDim, maxPos, source);
            default -> throw new UnsupportedModelException(source + ": unsupported rope type '" + type
                    + "' (supported: default, longrope)");
        };
        checkAngles(rope, rope.isLongRope() ? rope.shortFactor() : null, maxPos, source);
        checkAngles(rope, rope.isLongRope() ? rope.longFactor() : null, maxPos, source);
        return rope;
    }

    /**
     * The rotation angles {@code position / (ext[j] * theta^(2j/d))}, computed in float32 as the
     * engine does, must stay finite up to the last position, or every attention score becomes NaN.
     */
    private static void checkAngles(RopeConfig rope, float[] ext, int maxPos, String source) {
        float base = (float) rope.theta();
        int d = rope.rotaryDim();
        for (int j = 0; j < d / 2; j++) {
            float pow = (float) Math.pow(base, (float) (2 * j) / (float) d);
            float inv = 1.0f / (ext == null ? pow : ext[j] * pow);
            if (!(base > 0) || !Float.isFinite(inv) || !Float.isFinite(inv * (float) (maxPos - 1))) {
                throw new UnsupportedModelException(source + ": rope_theta " + rope.theta() + (ext == null ? "" : " with its LongRoPE"
                        + " factors") + " gives a non-finite rotation angle (frequency " + j + " at position " + (maxPos - 1)
                        + " of max_position_embeddings " + maxPos + "); rope_theta must be a float32 well above 0");
            }
        }
    }

    private static RopeConfig longRope(ConfigFields top, ConfigFields s, double theta, int rotaryDim, int maxPos, String source) {
        float[] shortF = factors(s, "short_factor", rotaryDim);
        float[] longF = factors(s, "long_factor", rotaryDim);
        // Phi-3 sets original_max_position_embeddings; the factor is then max / original (HF ignores rope 'factor').
        ConfigFields om = s.has("original_max_position_embeddings") ? s : top;
        int originalMax;
        double attention;
        String attentionFrom;
        if (om.has("original_max_position_embeddings")) {
            originalMax = om.positiveInt("original_max_position_embeddings", 0);
            attention = RopeConfig.longRopeAttentionFactor(maxPos, originalMax);
            attentionFrom = "max_position_embeddings " + maxPos + " / original_max_position_embeddings " + originalMax;
        } else {
            originalMax = maxPos;
            double factor = s.positiveFinite("factor", 1.0);
            attention = factor <= 1.0 ? 1.0 : Math.sqrt(1 + Math.log(factor) / Math.log(originalMax));
            attentionFrom = "factor " + factor + " and max_position_embeddings " + maxPos;
        }
        if (s.has("attention_factor")) {
            attention = s.positiveFinite("attention_factor", 1.0);
            attentionFrom = "attention_factor";
        }
        if (!Double.isFinite(attention) || !((float) attention > 0) || !Float.isFinite((float) attention)) {
            throw new UnsupportedModelException(source + ": the LongRoPE attention factor from " + attentionFrom + " is " + attention
                    + "; it must be a finite number > 0 in float32");
        }
        return new RopeConfig(RopeConfig.LONGROPE, theta, rotaryDim, shortF, longF, originalMax, attention);
    }

    /** A LongRoPE factor list: rotary_dim / 2 finite divisors > 0. */
    private static float[] factors(ConfigFields s, String key, int rotaryDim) {
        JsonNode a = s.get(key);
        if (a == null || !a.isArray() || a.size() != rotaryDim / 2) {
            throw s.error(key, "must be a list of " + rotaryDim / 2 + " numbers (rotary dim / 2), got "
                    + (a == null ? "nothing" : a.isArray() ? a.size() + " entries" : a.getNodeType()));
        }
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            JsonNode x = a.get(i);
            f[i] = x.isNumber() ? (float) x.doubleValue() : Float.NaN;
            if (!(f[i] > 0) || !Float.isFinite(f[i])) {
                throw s.error(key, "entry " + i + " must be a finite number > 0 (a frequency divisor), got " + ConfigFields.show(x));
            }
        }
        return f;
    }
}
