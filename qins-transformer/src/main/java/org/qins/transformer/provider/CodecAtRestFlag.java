package org.qins.transformer.provider;

import java.util.Locale;

/**
 * The {@code QINS_CODEC_AT_REST} feature flag: which linear provider is chosen when no name is
 * given. {@code 1} (default) selects Pattern A ({@value #PATTERN_A}), {@code 0} the deprecated
 * legacy layer ({@value #LEGACY}). The flag is the product's switch between those two provider
 * names; what either provider does is its own business.
 */
public final class CodecAtRestFlag {

    /** Environment variable. */
    public static final String ENV = "QINS_CODEC_AT_REST";
    /** System property, checked first. */
    public static final String PROPERTY = "qins.codec.at.rest";
    /** Provider name that {@code 1} selects: Pattern A (codec-at-rest, decode inside the matmul). */
    public static final String PATTERN_A = "qins";
    /** Provider name that {@code 0} selects: the deprecated layer that computes in the QINS domain. */
    public static final String LEGACY = "qins-legacy";

    private CodecAtRestFlag() {
    }

    /** Provider name the flag asks for, given the raw flag value (null = unset = {@code 1}). */
    public static String providerFor(String flagValue) {
        if (flagValue == null || flagValue.isBlank()) {
            return PATTERN_A;
        }
        return switch (flagValue.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> PATTERN_A;
            case "0", "false", "no", "off" -> LEGACY;
            default -> throw new IllegalArgumentException(ENV + " must be 1 (Pattern A) or 0 (legacy), got '" + flagValue + "'");
        };
    }

    /** The programmatic override, as the seed's {@code use_codec=True|False}: the provider name it means. */
    public static String providerFor(boolean useCodec) {
        return useCodec ? PATTERN_A : LEGACY;
    }

    /** The flag's raw value: system property first, then the environment; null when unset. */
    public static String rawValue() {
        String p = System.getProperty(PROPERTY);
        return p != null ? p : System.getenv(ENV);
    }
}
