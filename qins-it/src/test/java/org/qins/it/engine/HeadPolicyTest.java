package org.qins.it.engine;

import org.qins.transformer.QinsEngine;
import org.qins.codec.QinsWeightFormat;
import org.qins.api.Parallel;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.convert.ModelConverter;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.model.ModelLoader;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;

/** Pattern A encodes the block linears and keeps the LM head float, at load exactly as the converter does. */
class HeadPolicyTest {

    private static CausalLm load(Path dir, String linear) {
        ProviderSelector selector = new ProviderSelector(ProviderRegistry.discover(), () -> null);
        return new ModelLoader(new LayerLoader(selector, linear, Parallel.SEQUENTIAL, Map.of())).load(dir);
    }

    @Test
    void theHeadStaysFloatUnlessStoredEncoded(@TempDir Path tmp) throws Exception {
        Path fixture = Path.of(System.getProperty("qins.fixtures"), "tiny-llama");
        try (CausalLm lm = load(fixture, "qins")) {
            assertThat(lm.describeLinear()).startsWith("qins ");
            assertThat(lm.describeHead()).startsWith("fp32");
        }
        Path withHead = tmp.resolve("head");
        new ModelConverter(new QinsWeightFormat.Qins9(), ConversionOptions.of("qins9", Map.of()).withEncodeHead(true))
                .convert(fixture, withHead, ConversionListener.NONE);
        try (CausalLm lm = load(withHead, null)) {
            assertThat(lm.describeHead()).startsWith("qins ");
        }
        Path tied = Path.of(System.getProperty("qins.fixtures"), "tiny-llama-tied");
        try (CausalLm lm = load(tied, "qins-legacy")) {
            assertThat(lm.describeLinear()).doesNotStartWith("fp32");
            assertThat(lm.describeHead()).startsWith("fp32");
        }
    }

    @Test
    void useCodecOverridesTheFlagProgrammatically() throws Exception {
        Path fixture = Path.of(System.getProperty("qins.fixtures"), "tiny-llama");
        try (QinsEngine engine = QinsEngine.builder().threads(1).flag(() -> "0").useCodec(true).build();
                CausalLm lm = engine.load(fixture)) {
            assertThat(lm.describeLinear()).startsWith("qins ");
        }
        try (QinsEngine engine = QinsEngine.builder().threads(1).flag(() -> "1").useCodec(false).build();
                CausalLm lm = engine.load(fixture)) {
            assertThat(lm.describeLinear()).startsWith("qins-legacy");
        }
    }
}
