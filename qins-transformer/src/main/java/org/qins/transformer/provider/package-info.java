/**
 * Finding and choosing providers: {@link java.util.ServiceLoader} discovery, a Guice module that
 * exposes them by name (applications bind their own next to them), and the selection rules of
 * the README (explicit name, then {@code QINS_CODEC_AT_REST}, then priority).
 */
package org.qins.transformer.provider;
