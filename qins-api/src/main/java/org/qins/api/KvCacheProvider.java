package org.qins.api;

/**
 * Creates {@link KvCache}s. Registered in {@code META-INF/services/org.qins.api.KvCacheProvider}.
 * Names: {@code fp32} (float reference) and {@code qins} (K in FP16, V in QINS) are ours.
 */
public interface KvCacheProvider {

    String name();

    int priority();

    String description();

    KvCache create(KvCacheSpec spec);
}
