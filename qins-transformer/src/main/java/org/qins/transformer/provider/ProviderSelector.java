package org.qins.transformer.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.qins.api.CodecAtRest;
import org.qins.api.KvCacheProvider;
import org.qins.api.LinearLayerProvider;

/**
 * Chooses providers as DESIGN.md says, first match wins:
 * <ol>
 *   <li>an explicit name (CLI {@code --linear}/{@code --kv}, builder, Guice binding);</li>
 *   <li>for linear layers, the flag {@code QINS_CODEC_AT_REST} (property {@code qins.codec.at.rest}
 *       first): {@code 1}/unset = Pattern A {@code qins}, {@code 0} = deprecated {@code qins-legacy}.
 *       A flag that is set explicitly must name a provider on the classpath; the unset default
 *       falls through when {@code qins} is absent;</li>
 *   <li>the highest-priority provider that supports the stored format.</li>
 * </ol>
 * Each distinct choice is logged once.
 */
public final class ProviderSelector {

    private static final System.Logger LOG = System.getLogger("org.qins.providers");
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    /** The float reference provider's name: it computes weights kept in float (the LM head). */
    public static final String FLOAT_REFERENCE = "fp32";

    private final ProviderRegistry registry;
    private final Supplier<String> flag;

    public ProviderSelector(ProviderRegistry registry) {
        this(registry, CodecAtRest::rawValue);
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
     * The linear provider for weights stored in {@code storedFormat}.
     *
     * @param explicitName a name given by the user, or null
     */
    public Selection<LinearLayerProvider> selectLinear(String explicitName, String storedFormat) {
        Selection<LinearLayerProvider> s = chooseLinear(explicitName, storedFormat);
        log(s.provider().name(), s.reason(), s.provider().name().equals(CodecAtRest.LEGACY));
        return s;
    }

    /** The choice without logging (for {@code qins providers}). */
    public Selection<LinearLayerProvider> chooseLinear(String explicitName, String storedFormat) {
        if (explicitName != null && !explicitName.isBlank()) {
            return new Selection<>(registry.linear(explicitName), "explicit name '" + explicitName + "'");
        }
        String raw = flag.get();
        String wanted = CodecAtRest.providerFor(raw);
        String flagText = CodecAtRest.ENV + "=" + (raw == null ? "1 (default)" : raw.trim());
        if (registry.hasLinear(wanted)) {
            LinearLayerProvider p = registry.linear(wanted);
            if (storedFormat == null || p.supports(storedFormat)) {
                return new Selection<>(p, flagText);
            }
            if (raw != null) {
                throw new IllegalArgumentException(flagText + " selects '" + wanted + "', which cannot load weights stored as "
                        + storedFormat + "; providers that can: " + supporting(storedFormat));
            }
        } else if (raw != null) {
            throw new IllegalArgumentException(flagText + " selects " + ProviderRegistry.missing("linear layer provider", wanted,
                    registry.linearProviders().stream().map(LinearLayerProvider::name).toList()).substring(3));
        }
        for (LinearLayerProvider p : registry.linearProviders()) {
            if (storedFormat == null || p.supports(storedFormat)) {
                return new Selection<>(p, "highest priority (" + p.priority() + ") supporting "
                        + (storedFormat == null ? "any format" : storedFormat));
            }
        }
        throw new IllegalArgumentException(ProviderRegistry.missing("linear layer provider", "for format " + storedFormat,
                registry.linearProviders().stream().map(LinearLayerProvider::name).toList())
                .replace("named 'for format", "supporting '"));
    }

    /** The KV cache provider: explicit name, else the highest priority. */
    public Selection<KvCacheProvider> selectKv(String explicitName) {
        Selection<KvCacheProvider> s = chooseKv(explicitName);
        log("KV cache '" + s.provider().name() + "'", s.reason(), false);
        return s;
    }

    public Selection<KvCacheProvider> chooseKv(String explicitName) {
        if (explicitName != null && !explicitName.isBlank()) {
            return new Selection<>(registry.kv(explicitName), "explicit name '" + explicitName + "'");
        }
        for (KvCacheProvider p : registry.kvProviders()) {
            return new Selection<>(p, "highest priority (" + p.priority() + ")");
        }
        throw new IllegalArgumentException(ProviderRegistry.missing("KV cache provider", "(any)", List.of()));
    }

    private List<String> supporting(String format) {
        List<String> names = new ArrayList<>();
        for (LinearLayerProvider p : registry.linearProviders()) {
            if (p.supports(format)) {
                names.add(p.name());
            }
        }
        return names;
    }

    private static void log(String name, String reason, boolean deprecated) {
        if (!LOGGED.add(name + "|" + reason)) {
            return;
        }
        String what = switch (name) {
            case CodecAtRest.PATTERN_A -> "Using Pattern A (codec-at-rest) [qins]";
            case CodecAtRest.LEGACY -> "Using the legacy QINS-domain layer [qins-legacy]";
            default -> name.startsWith("KV cache") ? "Using " + name : "Using linear provider '" + name + "'";
        };
        LOG.log(System.Logger.Level.INFO, what + ", chosen by " + reason);
        if (deprecated) {
            LOG.log(System.Logger.Level.WARNING, "qins-legacy (ProjectiveLinear) is deprecated: it computes in the QINS"
                    + " domain and does not reproduce the float model; use Pattern A (QINS_CODEC_AT_REST=1)");
        }
    }
}
