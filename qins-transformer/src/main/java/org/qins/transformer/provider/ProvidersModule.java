package org.qins.transformer.provider;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import java.util.Map;
import java.util.ServiceLoader;
import org.qins.api.KvCacheProvider;
import org.qins.api.LinearLayerProvider;
import org.qins.api.WeightFormat;

/**
 * Guice wiring: every provider and weight format that {@link ServiceLoader} finds is bound by
 * name in a {@link MapBinder}; an application adds its own with
 * {@code MapBinder.newMapBinder(binder(), String.class, LinearLayerProvider.class).addBinding("mine").to(Mine.class)}
 * (or {@code WeightFormat.class}) in a module of its own. {@link ProviderRegistry} and
 * {@link ProviderSelector} are built from the merged maps.
 */
public final class ProvidersModule extends AbstractModule {

    private final ClassLoader loader;

    public ProvidersModule() {
        this(ProvidersModule.class.getClassLoader());
    }

    public ProvidersModule(ClassLoader loader) {
        this.loader = loader;
    }

    @Override
    protected void configure() {
        MapBinder<String, LinearLayerProvider> linear = MapBinder.newMapBinder(binder(), String.class, LinearLayerProvider.class);
        for (LinearLayerProvider p : ServiceLoader.load(LinearLayerProvider.class, loader)) {
            linear.addBinding(p.name()).toInstance(p);
        }
        MapBinder<String, KvCacheProvider> kv = MapBinder.newMapBinder(binder(), String.class, KvCacheProvider.class);
        for (KvCacheProvider p : ServiceLoader.load(KvCacheProvider.class, loader)) {
            kv.addBinding(p.name()).toInstance(p);
        }
        MapBinder<String, WeightFormat> formats = MapBinder.newMapBinder(binder(), String.class, WeightFormat.class);
        for (WeightFormat f : ServiceLoader.load(WeightFormat.class, loader)) {
            formats.addBinding(f.name()).toInstance(f);
        }
    }

    @Provides
    @Singleton
    ProviderRegistry registry(Map<String, LinearLayerProvider> linear, Map<String, KvCacheProvider> kv,
            Map<String, WeightFormat> formats) {
        return new ProviderRegistry(linear.values(), kv.values(), formats.values());
    }

    @Provides
    @Singleton
    ProviderSelector selector(ProviderRegistry registry) {
        return new ProviderSelector(registry);
    }
}
