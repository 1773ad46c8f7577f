package org.qins.transformer.provider;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Function;
import org.qins.api.KvCacheProvider;
import org.qins.api.LinearLayerProvider;

/**
 * The providers available to this process, by name. Built from {@link ServiceLoader} or from a
 * Guice {@code MapBinder} ({@link ProvidersModule}). Lookup by an unknown name fails with the
 * names that are available, as Lucene's {@code Codec.forName} does.
 */
public final class ProviderRegistry {

    private final Map<String, LinearLayerProvider> linear;
    private final Map<String, KvCacheProvider> kv;

    public ProviderRegistry(Collection<? extends LinearLayerProvider> linear, Collection<? extends KvCacheProvider> kv) {
        this.linear = byName(linear, LinearLayerProvider::name, LinearLayerProvider::priority, "LinearLayerProvider");
        this.kv = byName(kv, KvCacheProvider::name, KvCacheProvider::priority, "KvCacheProvider");
    }

    /** Every provider registered in {@code META-INF/services} visible to {@code loader}. */
    public static ProviderRegistry discover(ClassLoader loader) {
        List<LinearLayerProvider> linear = new ArrayList<>();
        ServiceLoader.load(LinearLayerProvider.class, loader).forEach(linear::add);
        List<KvCacheProvider> kv = new ArrayList<>();
        ServiceLoader.load(KvCacheProvider.class, loader).forEach(kv::add);
        return new ProviderRegistry(linear, kv);
    }

    /** Providers visible to this class's loader. */
    public static ProviderRegistry discover() {
        return discover(ProviderRegistry.class.getClassLoader());
    }

    private static <P> Map<String, P> byName(Collection<? extends P> providers, Function<P, String> name,
            java.util.function.ToIntFunction<P> priority, String kind) {
        List<P> sorted = new ArrayList<>(providers);
        sorted.sort(Comparator.comparingInt(priority).reversed().thenComparing(name));
        Map<String, P> out = new LinkedHashMap<>();
        for (P p : sorted) {
            P previous = out.putIfAbsent(name.apply(p), p);
            if (previous != null && previous.getClass() != p.getClass()) {
                throw new IllegalStateException("two " + kind + "s are named '" + name.apply(p) + "': "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** Linear providers, highest priority first. */
    public Collection<LinearLayerProvider> linearProviders() {
        return linear.values();
    }

    /** KV cache providers, highest priority first. */
    public Collection<KvCacheProvider> kvProviders() {
        return kv.values();
    }

    public boolean hasLinear(String name) {
        return linear.containsKey(name);
    }

    public boolean hasKv(String name) {
        return kv.containsKey(name);
    }

    /** The linear provider named {@code name}, or an error listing the names available. */
    public LinearLayerProvider linear(String name) {
        LinearLayerProvider p = linear.get(name);
        if (p == null) {
            throw new IllegalArgumentException(missing("linear layer provider", name, linear.keySet()));
        }
        return p;
    }

    /** The KV cache provider named {@code name}, or an error listing the names available. */
    public KvCacheProvider kv(String name) {
        KvCacheProvider p = kv.get(name);
        if (p == null) {
            throw new IllegalArgumentException(missing("KV cache provider", name, kv.keySet()));
        }
        return p;
    }

    static String missing(String kind, String name, Collection<String> available) {
        String where = available.isEmpty()
                ? "the classpath has none (add qins-fp, qins-codec, qins-legacy or qins-kvcache, or a jar with a META-INF/services entry)"
                : "the classpath supports " + new TreeSet<>(available);
        return "no " + kind + " named '" + name + "': " + where;
    }
}
