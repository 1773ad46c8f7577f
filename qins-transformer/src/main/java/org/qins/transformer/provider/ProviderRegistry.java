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
import java.util.function.ToIntFunction;
import org.qins.api.KvCacheProvider;
import org.qins.api.LinearLayerProvider;
import org.qins.api.WeightFormat;
import org.qins.api.WeightFormats;

/**
 * The providers and weight formats available to this process, by name. Built from
 * {@link ServiceLoader} or from Guice {@code MapBinder}s ({@link ProvidersModule}). Lookup by an
 * unknown name fails with the names that are available, as Lucene's {@code Codec.forName} does.
 */
public final class ProviderRegistry {

    private final Map<String, LinearLayerProvider> linear;
    private final Map<String, KvCacheProvider> kv;
    private final WeightFormats formats;

    public ProviderRegistry(Collection<? extends LinearLayerProvider> linear, Collection<? extends KvCacheProvider> kv,
            Collection<? extends WeightFormat> formats) {
        this.linear = byName(linear, LinearLayerProvider::name, LinearLayerProvider::priority, "LinearLayerProvider");
        this.kv = byName(kv, KvCacheProvider::name, KvCacheProvider::priority, "KvCacheProvider");
        this.formats = new WeightFormats(formats);
    }

    /** Every provider and format registered in {@code META-INF/services} visible to {@code loader}. */
    public static ProviderRegistry discover(ClassLoader loader) {
        return new ProviderRegistry(load(LinearLayerProvider.class, loader), load(KvCacheProvider.class, loader),
                load(WeightFormat.class, loader));
    }

    /** Providers and formats visible to this class's loader. */
    public static ProviderRegistry discover() {
        return discover(ProviderRegistry.class.getClassLoader());
    }

    static <T> List<T> load(Class<T> type, ClassLoader loader) {
        List<T> found = new ArrayList<>();
        ServiceLoader.load(type, loader).forEach(found::add);
        return found;
    }

    private static <P> Map<String, P> byName(Collection<? extends P> providers, Function<P, String> name, ToIntFunction<P> priority,
            String kind) {
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

    /** The weight formats, resolved by name with {@link WeightFormats#forName}. */
    public WeightFormats formats() {
        return formats;
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
            throw new IllegalArgumentException(missing("linear layer provider named '" + name + "'", linear.keySet()));
        }
        return p;
    }

    /** The KV cache provider named {@code name}, or an error listing the names available. */
    public KvCacheProvider kv(String name) {
        KvCacheProvider p = kv.get(name);
        if (p == null) {
            throw new IllegalArgumentException(missing("KV cache provider named '" + name + "'", kv.keySet()));
        }
        return p;
    }

    /** {@code "no WHAT: the classpath supports [...]"}, or says that it has none. */
    static String missing(String what, Collection<String> available) {
        return "no " + what + ": " + supports(available);
    }

    /** {@code "the classpath supports [...]"}, or says that it has none and how to add some. */
    static String supports(Collection<String> available) {
        return available.isEmpty()
                ? "the classpath has none (add qins-fp, qins-codec, qins-legacy or qins-kvcache, or a jar with a META-INF/services entry)"
                : "the classpath supports " + new TreeSet<>(available);
    }
}
