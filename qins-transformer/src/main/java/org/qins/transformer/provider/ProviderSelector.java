package org.qins.transformer.provider;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.qins.api.KvCacheProvider;
import org.qins.api.LinearLayerProvider;

/**
 * Chooses providers, first match wins:
 * <ol>
 *   <li>an explicit name (CLI {@code --linear}/{@code --kv}, builder, Guice binding);</li>
 *   <li>for linear layers, the flag {@code QINS_CODEC_AT_REST} ({@link CodecAtRestFlag}):
 *       {@code 1}/unset = Pattern A, {@code 0} = the deprecated legacy layer. A flag that is set
 *       explicitly must name a provider on the classpath; the unset default falls through when
 *       Pattern A's provider is absent;</li>
 *   <li>the highest-priority provider that reads the stored format.</li>
 * </ol>
 * Each distinct choice is logged once, with the provider's own description; choosing a
 * deprecated provider also logs a warning.
 */
public final class ProviderSelector {

    private static final System.Logger LOG = System.getLogger("org.qins.providers");
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    /** The float reference provider's name: it computes weights kept in float (the LM head). */
    public static final String FLOAT_REFERENCE = "fp32";

    private final ProviderRegistry registry;
    private final Supplier<String> flag;

    public ProviderSelector(ProviderRegistry registry) {
        this(registry, CodecAtRestFlag::rawValue);
    }

    /** With an explicit flag source (tests, embedding applications). */
    public ProviderSelector(ProviderRegistry registry, Supplier<String> flag) {
        this.registry = registry;
        this.flag = flag;
    }

    public ProviderRegistry registry() {
        return registry;
    }

    /**
     * The linear provider for weights stored in {@code storedFormat}, logged once.
     *
     * @param explicitName a name given by the user, or null
     * @param storedFormat the format to read, or null for any
     */
    public Selection<LinearLayerProvider> selectLinear(String explicitName, String storedFormat) {
        Selection<LinearLayerProvider> s = chooseLinear(explicitName, storedFormat);
        LinearLayerProvider p = s.provider();
        log("Using linear provider '" + p.name() + "' (" + p.description() + "), chosen by " + s.reason(), p.deprecated()
                ? "'" + p.name() + "' is deprecated: " + p.description() + "; use Pattern A (" + CodecAtRestFlag.ENV + "=1)" : null);
        return s;
    }

    /** The choice without logging (for {@code qins providers}). */
    public Selection<LinearLayerProvider> chooseLinear(String explicitName, String storedFormat) {
        if (explicitName != null && !explicitName.isBlank()) {
            return new Selection<>(registry.linear(explicitName), "explicit name '" + explicitName + "'");
        }
        String raw = flag.get();
        String wanted = CodecAtRestFlag.providerFor(raw);
        String flagText = CodecAtRestFlag.ENV + "=" + (raw == null ? "1 (default)" : raw.trim());
        if (registry.hasLinear(wanted)) {
            LinearLayerProvider p = registry.linear(wanted);
            if (storedFormat == null || p.supports(storedFormat)) {
                return new Selection<>(p, flagText);
            }
            if (raw != null) {
                throw new IllegalArgumentException(flagText + " selects '" + wanted + "', which cannot load weights stored as "
                        + storedFormat + "; providers that can: " + reading(storedFormat));
            }
        } else if (raw != null) {
            throw new IllegalArgumentException(flagText + " selects linear layer provider '" + wanted + "', which is not on the"
                    + " classpath: " + ProviderRegistry.supports(names()));
        }
        for (LinearLayerProvider p : registry.linearProviders()) {
            if (storedFormat == null || p.supports(storedFormat)) {
                return new Selection<>(p, "highest priority (" + p.priority() + ") supporting "
                        + (storedFormat == null ? "any format" : storedFormat));
            }
        }
        throw new IllegalArgumentException(ProviderRegistry.missing("linear layer provider reads format '" + storedFormat + "'",
                names()));
    }

    /** The KV cache provider: explicit name, else the highest priority; logged once. */
    public Selection<KvCacheProvider> selectKv(String explicitName) {
        Selection<KvCacheProvider> s = chooseKv(explicitName);
        log("Using KV cache '" + s.provider().name() + "' (" + s.provider().description() + "), chosen by " + s.reason(), null);
        return s;
    }

    public Selection<KvCacheProvider> chooseKv(String explicitName) {
        if (explicitName != null && !explicitName.isBlank()) {
            return new Selection<>(registry.kv(explicitName), "explicit name '" + explicitName + "'");
        }
        for (KvCacheProvider p : registry.kvProviders()) {
            return new Selection<>(p, "highest priority (" + p.priority() + ")");
        }
        throw new IllegalArgumentException(ProviderRegistry.missing("KV cache provider", List.of()));
    }

    private List<String> names() {
        return registry.linearProviders().stream().map(LinearLayerProvider::name).toList();
    }

    private List<String> reading(String format) {
        return registry.linearProviders().stream().filter(p -> p.supports(format)).map(LinearLayerProvider::name).toList();
    }

    private static void log(String message, String deprecationWarning) {
        if (!LOGGED.add(message)) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, message);
        if (deprecationWarning != null) {
            LOG.log(System.Logger.Level.WARNING, deprecationWarning);
        }
    }
}
