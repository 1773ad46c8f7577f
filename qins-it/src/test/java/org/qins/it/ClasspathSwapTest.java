package org.qins.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.qins.api.LinearLayerProvider;
import org.qins.codec.QinsLinearProvider;
import org.qins.fp.Fp32LinearProvider;
import org.qins.it.thirdparty.BlockInt8Provider;
import org.qins.kvcache.QinsKvCacheProvider;
import org.qins.legacy.ProjectiveLinearProvider;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;

/**
 * Swapping providers is a classpath change: the same engine code, run in a class loader that
 * lacks some provider modules, selects differently. Nothing in main code names a provider.
 */
class ClasspathSwapTest {

    /** Runs discovery + selection (flag unset) inside {@code loader}; returns the chosen linear provider's name. */
    private static String selectIn(URLClassLoader loader, String explicit, String format) throws Exception {
        try (loader) {
            Class<?> registryType = loader.loadClass(ProviderRegistry.class.getName());
            Class<?> selectorType = loader.loadClass(ProviderSelector.class.getName());
            Object registry = registryType.getMethod("discover", ClassLoader.class).invoke(null, loader);
            Supplier<String> unsetFlag = () -> null;
            Object selector = selectorType.getConstructor(registryType, Supplier.class).newInstance(registry, unsetFlag);
            Object selection = selectorType.getMethod("chooseLinear", String.class, String.class).invoke(selector, explicit, format);
            Object provider = selection.getClass().getMethod("provider").invoke(selection);
            return (String) loader.loadClass(LinearLayerProvider.class.getName()).getMethod("name").invoke(provider);
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    private static URLClassLoader onlyFp() {
        return IsolatedClasspath.without(QinsLinearProvider.class, ProjectiveLinearProvider.class,
                QinsKvCacheProvider.class, ClasspathSwapTest.class);
    }

    @Test
    void withOnlyTheFloatModuleTheLookupPicksFp32() throws Exception {
        assertThat(selectIn(onlyFp(), null, "f32")).isEqualTo("fp32");
    }

    @Test
    void withTheCodecModulePresentAndTheFlagUnsetTheLookupPicksPatternA() throws Exception {
        URLClassLoader loader = IsolatedClasspath.without(ProjectiveLinearProvider.class, QinsKvCacheProvider.class,
                ClasspathSwapTest.class);
        assertThat(selectIn(loader, null, "qins9")).isEqualTo("qins");
    }

    @Test
    void anUnknownNameListsWhatTheClasspathSupports() {
        assertThatThrownBy(() -> selectIn(onlyFp(), "qins", "f32"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no linear layer provider named 'qins'")
                .hasMessageContaining("[fp32]");
    }

    @Test
    void anEmptyClasspathIsAnErrorThatSaysSo() {
        URLClassLoader loader = IsolatedClasspath.without(Fp32LinearProvider.class, QinsLinearProvider.class,
                ProjectiveLinearProvider.class, QinsKvCacheProvider.class, ClasspathSwapTest.class);
        assertThatThrownBy(() -> selectIn(loader, null, "f32"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the classpath has none");
    }

    @Test
    void aThirdPartyProviderInTestSourcesIsFoundAndSelectedByName() {
        ProviderSelector selector = new ProviderSelector(ProviderRegistry.discover(), () -> null);
        assertThat(selector.registry().linearProviders()).extracting(LinearLayerProvider::name)
                .contains("fp32", "qins", "qins-legacy", "int8-row", "q8_0");
        assertThat(selector.chooseLinear("q8_0", "q8_0").provider()).isInstanceOf(BlockInt8Provider.Q8_0.class);
        // The third party has the lowest priority: it is never picked unless named.
        assertThat(List.of(selector.chooseLinear(null, "f32").provider().name())).doesNotContain("q8_0", "int8-row");
    }
}
