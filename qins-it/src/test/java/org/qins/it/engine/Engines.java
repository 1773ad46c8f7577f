package org.qins.it.engine;

import java.nio.file.Path;
import java.util.Map;
import org.qins.api.KvCacheProvider;
import org.qins.api.Parallel;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.ModelLoader;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;

/** Loads fixture models with the float providers, as {@code qins generate --linear fp32 --kv fp32} does. */
final class Engines {

    static final ProviderRegistry REGISTRY = ProviderRegistry.discover();

    private Engines() {
    }

    static Path fixture(String name) {
        return Path.of(System.getProperty("qins.fixtures", "src/test/resources/fixtures"), name);
    }

    static CausalLm loadFp32(Path dir, Parallel parallel) {
        ProviderSelector selector = new ProviderSelector(REGISTRY, () -> null);
        return new ModelLoader(new LayerLoader(selector, "fp32", parallel, Map.of())).load(dir);
    }

    static KvCacheProvider fp32Kv() {
        return REGISTRY.kv("fp32");
    }
}
