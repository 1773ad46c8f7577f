package org.qins.api;

/**
 * The {@code QINS_CODEC_AT_REST} feature flag: which linear provider is chosen when no name is
 * given. {@code 1} (default) selects Pattern A ({@value #PATTERN_A}), {@code 0} the deprecated
 * legacy layer ({@value #LEGACY}).
 */
public final class CodecAtRest {

    /** Environment variable. */
    public static final String ENV = "QINS_CODEC_AT_REST";
    /** System property, checked first. */
    public static final String PROPERTY = "qins.codec.at.rest";
    /** Provider name of Pattern A (codec-at-rest, decode inside the matmul). */
    public static final String PATTERN_A = "qins";
    /** Provider name of the deprecated layer that computes in the QINS domain. */
    public static final String LEGACY = "qins-legacy";

    private CodecAtRest() {
    }

    /** Provider name the flag asks for, given the raw flag value (null = unset = {@code 1}). */
    public static String providerFor(String flagValue) {
        if (flagValue == null || flagValue.isBlank()) {
            return PATTERN_A;
        }
        return switch (flagValue.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "yes", "on" -> PATTERN_A;
            case "0", "false", "no", "off" -> LEGACY;
            default -> throw new IllegalArgumentException(ENV + " must be 1 (Pattern A) or 0 (legacy), got '" + flagValue + "'");
        };
    }

    /** The flag's raw value: system property first, then the environment; null when unset. */
    public static String rawValue() {
        String p = System.getProperty(PROPERTY);
        return p != null ? p : System.getenv(ENV);
    }
}
