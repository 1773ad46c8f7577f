package org.qins.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.multibindings.MapBinder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;
import org.qins.fp.Fp32LinearProvider;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;
import org.qins.transformer.provider.ProvidersModule;

/** DESIGN.md's selection order: explicit name, then QINS_CODEC_AT_REST, then priority. */
class SelectionRulesTest {

    private final ProviderRegistry all = ProviderRegistry.discover();

    private ProviderSelector withFlag(String flag) {
        return new ProviderSelector(all, () -> flag);
    }

    @Test
    void flagUnsetMeansPatternA() {
        assertThat(withFlag(null).chooseLinear(null, "f32").provider().name()).isEqualTo("qins");
        assertThat(withFlag(null).chooseLinear(null, "f32").reason()).contains("QINS_CODEC_AT_REST=1 (default)");
    }

    @Test
    void flagOneMeansPatternAAndZeroMeansLegacy() {
        assertThat(withFlag("1").chooseLinear(null, "f32").provider().name()).isEqualTo("qins");
        assertThat(withFlag("0").chooseLinear(null, "f32").provider().name()).isEqualTo("qins-legacy");
    }

    @Test
    void anExplicitNameWinsOverTheFlag() {
        assertThat(withFlag("0").chooseLinear("fp32", "f32").provider().name()).isEqualTo("fp32");
    }

    @Test
    void aFlagValueThatIsNeitherZeroNorOneIsRejected() {
        assertThatThrownBy(() -> withFlag("maybe").chooseLinear(null, "f32"))
                .hasMessageContaining("QINS_CODEC_AT_REST must be 1 (Pattern A) or 0 (legacy)");
    }

    @Test
    void theSystemPropertySetsTheFlag() {
        String old = System.getProperty("qins.codec.at.rest");
        try {
            System.setProperty("qins.codec.at.rest", "0");
            assertThat(new ProviderSelector(all).chooseLinear(null, "f32").provider().name()).isEqualTo("qins-legacy");
        } finally {
            if (old == null) {
                System.clearProperty("qins.codec.at.rest");
            } else {
                System.setProperty("qins.codec.at.rest", old);
            }
        }
    }

    @Test
    void withoutTheFlagsProviderPriorityDecides() {
        ProviderRegistry fpAndThirdParty = new ProviderRegistry(
                all.linearProviders().stream().filter(p -> !p.name().startsWith("qins")).toList(), all.kvProviders(),
                all.formats().all());
        assertThat(new ProviderSelector(fpAndThirdParty, () -> null).chooseLinear(null, "f32").reason())
                .startsWith("highest priority");
    }

    /** A provider an application binds in its own Guice module, next to the discovered ones. */
    static class AppProvider implements LinearLayerProvider {
        @Override
        public String name() {
            return "app-fp";
        }

        @Override
        public int priority() {
            return 1000;
        }

        @Override
        public String description() {
            return "bound in Guice by the application";
        }

        @Override
        public Set<String> formats() {
            return Set.of("f32");
        }

        @Override
        public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
            return new Fp32LinearProvider().load(spec, stored, context);
        }
    }

    @Test
    void anApplicationBindsItsOwnProviderInGuice() {
        ProviderSelector selector = Guice.createInjector(new ProvidersModule(), new AbstractModule() {
            @Override
            protected void configure() {
                MapBinder.newMapBinder(binder(), String.class, LinearLayerProvider.class).addBinding("app-fp").to(AppProvider.class);
            }
        }).getInstance(ProviderSelector.class);
        assertThat(selector.registry().linear("app-fp")).isInstanceOf(AppProvider.class);
        assertThat(selector.registry().linearProviders()).extracting(LinearLayerProvider::name).contains("fp32", "qins", "app-fp");
        assertThat(selector.chooseLinear("app-fp", "f32").provider()).isInstanceOf(AppProvider.class);
    }

    @Test
    void kvCachesAreListedAndChosenByName() {
        ProviderSelector s = withFlag(null);
        assertThat(all.kvProviders()).extracting(p -> p.name()).containsExactlyInAnyOrderElementsOf(List.of("fp32", "qins"));
        assertThat(s.chooseKv("qins").provider().name()).isEqualTo("qins");
        assertThat(s.chooseKv(null).provider().name()).isEqualTo("fp32");
        assertThatThrownBy(() -> s.chooseKv("nope")).hasMessageContaining("no KV cache provider named 'nope'")
                .hasMessageContaining("[fp32, qins]");
    }

    @Test
    void duplicateNamesAreRejected() {
        assertThatThrownBy(() -> new ProviderRegistry(List.of(new Fp32LinearProvider(), new AppProvider() {
            @Override
            public String name() {
                return "fp32";
            }
        }), List.of(), List.of())).hasMessageContaining("two LinearLayerProviders are named 'fp32'");
    }
}
