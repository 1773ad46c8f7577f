package org.qins.kvcache;

import org.qins.api.KvCache;
import org.qins.api.KvCacheProvider;
import org.qins.api.KvCacheSpec;

/** Registration placeholder; the cache is built in the KV cache issue. */
public final class QinsKvCacheProvider implements KvCacheProvider {

    @Override
    public String name() {
        return "qins";
    }

    @Override
    public int priority() {
        return 5;
    }

    @Override
    public String description() {
        return "K in FP16, V in QINS (decoded inside attention)";
    }

    @Override
    public KvCache create(KvCacheSpec spec) {
        throw new UnsupportedOperationException("qins: not implemented yet");
    }
}
