package org.qins.transformer.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Reads the rotary embedding settings of a config in both styles (transformers >= 5 keeps them all
 * in {@code rope_parameters}; older Hub configs have a top-level {@code rope_theta} and a
 * {@code rope_scaling} dict whose type is {@code rope_type} or {@code type}), and refuses values
 * that make the frequencies or the LongRoPE scale non-finite.
 */
final class RopeReader {

    static final String SUPPORTED = "default, linear, llama3, longrope";

    private RopeReader() {
    }

    static RopeConfig read(JsonNode c, int headDim, int maxPos, String source) {
        ConfigFields top = new ConfigFields(c, source, "");
        JsonNode params = top.object("rope_parameters");
        JsonNode scalingNode = params != null ? params : top.object("rope_scaling");
        String scalingName = params != null ? "rope_parameters" : "rope_scaling";
        ConfigFields s = scalingNode == null ? null : new ConfigFields(scalingNode, source, scalingName + ".");
        double theta = s != null && s.has("rope_theta") ? s.positiveFinite("rope_theta") : top.positiveFinite("rope_theta", 10000.0);
        double partial = s != null && s.has("partial_rotary_factor") ? s.positiveFinite("partial_rotary_factor", 1)
                : top.positiveFinite("partial_rotary_factor", 1.0);
        int rotaryDim = (int) (headDim * partial);
        if (rotaryDim <= 0 || rotaryDim % 2 != 0 || rotaryDim > headDim) {
            throw new UnsupportedModelException(source + ": rotary dimension " + rotaryDim + " (head_dim " + headDim
                    + " x partial_rotary_factor " + partial + ") must be even and in (0, head_dim]");
        }
        String typeField = s != null && s.has("rope_type") ? "rope_type" : "type";
        String type = s == null ? "default" : s.text(typeField, "default").toLowerCase(Locale.ROOT);
        RopeConfig rope = switch (type) {
            case "default" -> RopeConfig.standard(theta, rotaryDim);
            case "linear" -> new RopeConfig(theta, rotaryDim, 1.0, new RopeScaling.Linear(s.positiveFinite("factor")));
            case "llama3" -> new RopeConfig(theta, rotaryDim, 1.0, new RopeScaling.Llama3(s.positiveFinite("factor"),
                    s.positiveFinite("low_freq_factor"), s.positiveFinite("high_freq_factor"),
                    s.positiveInt("original_max_position_embeddings")));
            case "longrope", "su" -> longRope(top, s, theta, rotaryDim, maxPos, source);
            default -> throw new UnsupportedModelException(source + ": unsupported rope type '" + type + "' in " + scalingName + "."
                    + typeField + " (supported: " + SUPPORTED + ")");
        };
        checkAngles(rope, null, maxPos, source);
        if (rope.scaling() instanceof RopeScaling.LongRope l) {
            checkAngles(rope, l.shortFactor(), maxPos, source);
            checkAngles(rope, l.longFactor(), maxPos, source);
        }
        return rope;
    }

    /**
     * The rotation angles {@code position / (ext[j] * theta^(2j/d))}, computed in float32 as the
     * engine does, must stay finite up to the last position, or every attention score becomes NaN.
     * (Linear and llama3 scaling only divide frequencies by factors checked to be > 0.)
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
        return new RopeConfig(theta, rotaryDim, attention, new RopeScaling.LongRope(shortF, longF, originalMax));
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
