package org.qins.kvcache;

import org.qins.api.KvCache;
import org.qins.api.KvCacheProvider;
import org.qins.api.KvCacheSpec;
import org.qins.codec.BelowRange;
import org.qins.codec.Grouping;
import org.qins.codec.QinsFormat;
import org.qins.codec.QinsLayout;
import org.qins.codec.RangePolicy;
import org.qins.codec.GroupCodec;

/** K in FP16, V in QINS (qins9 codes, clipped at 32 codes per octave, one range per token and head). */
public final class QinsKvCacheProvider implements KvCacheProvider {

    /** The V format: the codec's default layout and width, one group per token and head. */
    static final QinsFormat V_FORMAT = new QinsFormat(QinsLayout.QINS9, Grouping.ROW, RangePolicy.CLIPPED,
            QinsFormat.WIDTH_QINS9, BelowRange.NEAREST, false);

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
        return new QinsKvCache(spec, new GroupCodec(V_FORMAT, "kv-cache values"));
    }
}
