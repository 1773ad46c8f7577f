package org.qins.fp;

import org.qins.api.KvCache;
import org.qins.api.KvCacheProvider;
import org.qins.api.KvCacheSpec;

/** The float32 KV cache: the reference. */
public final class FloatKvCacheProvider implements KvCacheProvider {

    public static final String NAME = "fp32";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public String description() {
        return "K and V in float32 (the reference)";
    }

    @Override
    public KvCache create(KvCacheSpec spec) {
        return new FloatKvCache(spec);
    }
}
