package org.qins.transformer.provider;

/**
 * A chosen provider and why it was chosen.
 *
 * @param provider the provider
 * @param reason   human-readable: "explicit --linear", "QINS_CODEC_AT_REST=1 (default)", ...
 */
public record Selection<P>(P provider, String reason) {
}
