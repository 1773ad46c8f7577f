package org.qins.it.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.LayerContext;
import org.qins.codec.QinsLinearProvider;
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
        return new ModelLoader(new LayerLoader(selector, linear, LayerContext.sequential())).load(dir);
    }

    @Test
    void theHeadStaysFloatUnlessStoredEncoded(@TempDir Path tmp) throws Exception {
        Path fixture = Path.of(System.getProperty("qins.fixtures"), "tiny-llama");
        try (CausalLm lm = load(fixture, "qins")) {
            assertThat(lm.describeLinear()).startsWith("qins ");
            assertThat(lm.describeHead()).startsWith("fp32");
        }
        Path withHead = tmp.resolve("head");
        new ModelConverter(new QinsLinearProvider(), ConversionOptions.of("qins", Map.of()).withEncodeHead(true))
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
        ProviderSelector legacyFlag = new ProviderSelector(ProviderRegistry.discover(), () -> "0");
        try (CausalLm lm = new ModelLoader(LayerLoader.useCodec(legacyFlag, true, LayerContext.sequential())).load(fixture)) {
            assertThat(lm.describeLinear()).startsWith("qins ");
        }
        ProviderSelector patternAFlag = new ProviderSelector(ProviderRegistry.discover(), () -> "1");
        try (CausalLm lm = new ModelLoader(LayerLoader.useCodec(patternAFlag, false, LayerContext.sequential())).load(fixture)) {
            assertThat(lm.describeLinear()).startsWith("qins-legacy");
        }
    }
}
