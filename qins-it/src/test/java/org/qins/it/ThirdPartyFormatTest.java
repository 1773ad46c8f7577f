package org.qins.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.it.thirdparty.BlockInt8Format;
import org.qins.it.thirdparty.BlockInt8Provider;
import org.qins.tools.validate.CompareMetrics;
import org.qins.tools.validate.Comparison;
import org.qins.tools.validate.Follower;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.ReferenceFile;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.model.CausalLm;

/**
 * A third party adds a weight format ({@code q8_0}) and a layer that computes over it by putting
 * its classes and {@code META-INF/services} entries on the classpath, nothing else: the engine
 * converts to the format by name, loads the result with the party's layer, decodes it for a float
 * layer; without those classes the same checkpoint is refused with the names the classpath has.
 */
class ThirdPartyFormatTest {

    private static final Path TINY = Fixtures.dir("tiny-llama");

    @Test
    void aNewFormatAndLayerComeFromTheClasspathAlone(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("tiny-q8_0");
        LlmRef ref = ReferenceFile.read(TINY.resolve("reference.json"));
        try (QinsEngine engine = QinsEngine.builder().threads(2).flag(() -> null).build()) {
            assertThat(engine.providers().registry().formats().forName("q8_0")).isInstanceOf(BlockInt8Format.Q8_0.class);
            engine.convert(TINY, out, ConversionOptions.of("q8_0", Map.of()), ConversionListener.NONE);
            try (CausalLm lm = engine.load(out)) {
                // The flag's Pattern A cannot read q8_0 and is unset: the highest priority reader, the party's layer, runs.
                assertThat(engine.providers().chooseLinear(null, "q8_0").provider()).isInstanceOf(BlockInt8Provider.Q8_0.class);
                assertThat(lm.describeLinear()).startsWith("int8 absmax, block 32");
                CompareMetrics m = Comparison.compare(ref, new Follower(lm, engine.kvCache(), 20).follow(ref, Map.of()));
                assertThat(m.teacherTop1()).isGreaterThan(0.9);
                assertThat(m.meanKl()).isLessThan(0.05);
            }
            try (CausalLm lm = engine.load(out, "fp32", Map.of())) {
                assertThat(lm.describeLinear()).as("a float layer over q8_0 storage, decoded by the format at load").startsWith("fp32");
            }
        }
        URLClassLoader without = IsolatedClasspath.without(ThirdPartyFormatTest.class);
        assertThatThrownBy(() -> loadIn(without, out))
                .hasMessageContaining("no linear layer provider reads format 'q8_0'")
                .hasMessageContaining("[fp32, qins, qins-legacy]");
        assertThatThrownBy(() -> forNameIn(IsolatedClasspath.without(ThirdPartyFormatTest.class), "q8_0"))
                .hasMessageContaining("no weight format named 'q8_0'")
                .hasMessageContaining("[bf16, f16, f32, gguf-q8_0, qins8, qins8-seed, qins9]"); // gguf-q8_0: the engine's own
    }

    /** {@code QinsEngine.builder().threads(1).flag(unset).build().load(dir)} inside {@code loader}. */
    private static void loadIn(URLClassLoader loader, Path dir) throws Exception {
        try (loader) {
            Class<?> engineType = loader.loadClass(QinsEngine.class.getName());
            Object b = engineType.getMethod("builder").invoke(null);
            b = b.getClass().getMethod("threads", int.class).invoke(b, 1);
            Supplier<String> unset = () -> null;
            b = b.getClass().getMethod("flag", Supplier.class).invoke(b, unset);
            Object engine = b.getClass().getMethod("build").invoke(b);
            try {
                ((AutoCloseable) engineType.getMethod("load", Path.class).invoke(engine, dir)).close();
            } finally {
                ((AutoCloseable) engine).close();
            }
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    /** {@code WeightFormat.forName(name)} inside {@code loader}. */
    private static void forNameIn(URLClassLoader loader, String name) throws Exception {
        try (loader) {
            loader.loadClass("org.qins.api.WeightFormat").getMethod("forName", String.class).invoke(null, name);
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }
}
