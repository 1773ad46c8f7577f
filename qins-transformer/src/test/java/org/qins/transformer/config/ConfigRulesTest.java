package org.qins.transformer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Config values that would make the math wrong or non-finite: each refused, naming the file and the field. */
class ConfigRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String LLAMA = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 96, "intermediate_size": 256,
             "num_hidden_layers": 3, "num_attention_heads": 6, "num_key_value_heads": 2, "vocab_size": 320,
             "rms_norm_eps": 1e-05, "max_position_embeddings": 512, "eos_token_id": 2, "bos_token_id": 1, "rope_theta": 10000.0}""";

    private static final String PHI3 = """
            {"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "hidden_size": 96, "intermediate_size": 256,
             "num_hidden_layers": 3, "num_attention_heads": 6, "num_key_value_heads": 3, "vocab_size": 320,
             "rms_norm_eps": 1e-05, "max_position_embeddings": 1024, "original_max_position_embeddings": 256,
             "rope_theta": 10000.0, "eos_token_id": 2,
             "rope_scaling": {"type": "longrope", "short_factor": [1, 1, 1, 1, 1, 1, 1, 2], "long_factor": [2, 2, 2, 2, 2, 2, 2, 4]}}""";

    @TempDir
    Path dir;

    private static String with(String json, String key, String value) throws Exception {
        ObjectNode node = (ObjectNode) JSON.readTree(json);
        node.set(key, JSON.readTree(value));
        return node.toString();
    }

    private static String withScaling(String key, String value) throws Exception {
        ObjectNode node = (ObjectNode) JSON.readTree(PHI3);
        ((ObjectNode) node.get("rope_scaling")).set(key, JSON.readTree(value));
        return node.toString();
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(String config) throws Exception {
        Files.writeString(dir.resolve("config.json"), config);
        return assertThatThrownBy(() -> ConfigLoader.load(dir)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(dir.resolve("config.json").toString());
    }

    @Test
    void theBaseConfigsLoad() throws Exception {
        Files.writeString(dir.resolve("config.json"), LLAMA);
        assertThat(ConfigLoader.load(dir).headDim()).isEqualTo(16);
        Files.writeString(dir.resolve("config.json"), PHI3);
        assertThat(ConfigLoader.load(dir).rope().type()).isEqualTo("longrope");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size"})
    void requiredSizesArePositiveIntegers(String field) throws Exception {
        for (String bad : new String[] {"0", "-96", "96.5", "\"96\"", "1e3", "99999999999"}) {
            refused(with(LLAMA, field, bad)).hasMessageContaining("'" + field + "' must be a positive integer");
        }
        ObjectNode node = (ObjectNode) JSON.readTree(LLAMA);
        node.remove(field);
        refused(node.toString()).hasMessageContaining("'" + field + "' is missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"num_key_value_heads", "head_dim", "max_position_embeddings"})
    void optionalSizesArePositiveIntegers(String field) throws Exception {
        refused(with(LLAMA, field, "0")).hasMessageContaining("'" + field + "' must be a positive integer, got 0");
        refused(with(LLAMA, field, "-4")).hasMessageContaining("'" + field + "' must be a positive integer, got -4");
    }

    @Test
    void kvHeadsMustDivideHeads() throws Exception {
        refused(with(LLAMA, "num_key_value_heads", "4")).hasMessageContaining("'num_key_value_heads' (4) must divide num_attention_heads (6)");
    }

    @Test
    void headsMustDivideHiddenWithoutHeadDim() throws Exception {
        refused(with(LLAMA, "num_attention_heads", "7").replace("\"num_key_value_heads\":2", "\"num_key_value_heads\":7"))
                .hasMessageContaining("'num_attention_heads' (7) must divide hidden_size (96) when head_dim is not given");
    }

    @Test
    void headSizesAreBounded() throws Exception {
        // Found by ConfigFuzzTest: head_dim 100,000,000 spent seconds computing rotary tables before any other check.
        refused(with(LLAMA, "head_dim", "100000000")).hasMessageContaining("'head_dim' gives a head size of 100000000, above the"
                + " engine's limit of 4096");
        refused(with(with(LLAMA, "hidden_size", "600000"), "num_attention_heads", "6")).hasMessageContaining("'hidden_size' gives a head size of 100000");
    }

    @Test
    void rowSizesMustFitTheEngineBuffers() throws Exception {
        refused(with(with(LLAMA, "head_dim", "4096"), "num_attention_heads", "600000").replace("\"num_key_value_heads\":2",
                "\"num_key_value_heads\":600000")).hasMessageContaining("'head_dim' (4096)").hasMessageContaining("exceeds the largest row");
        refused(with(LLAMA, "intermediate_size", "2000000000")).hasMessageContaining("'intermediate_size' (2000000000) x 2 exceeds");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1e-6", "1e-60", "1e300", "1e400", "\"1e-6\""})
    void rmsNormEpsIsFiniteAndAboveZeroInFloat32(String eps) throws Exception {
        refused(with(LLAMA, "rms_norm_eps", eps)).hasMessageContaining("'rms_norm_eps' must be");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-10000", "\"1e4\"", "1e-60"})
    void ropeThetaIsAPositiveFloat32(String theta) throws Exception {
        refused(with(LLAMA, "rope_theta", theta)).hasMessageContaining("rope_theta");
        refused(with(LLAMA, "rope_parameters", "{\"rope_type\": \"default\", \"rope_theta\": " + theta + "}"))
                .hasMessageContaining("rope_theta");
    }

    @Test
    void aTinyThetaThatOverflowsTheAnglesIsRefused() throws Exception {
        // 1e-44 is a positive (subnormal) float32, but 1 / theta^(14/16) times position 511 is infinite.
        refused(with(LLAMA, "rope_theta", "1e-44")).hasMessageContaining("gives a non-finite rotation angle")
                .hasMessageContaining("position 511");
    }

    @Test
    void partialRotaryFactorIsAFinitePositiveNumber() throws Exception {
        refused(with(LLAMA, "partial_rotary_factor", "0")).hasMessageContaining("'partial_rotary_factor' must be a finite number > 0");
        refused(with(LLAMA, "partial_rotary_factor", "2")).hasMessageContaining("must be even and in (0, head_dim]");
    }

    @Test
    void phi3OriginalMaxPositionEmbeddingsIsPositive() throws Exception {
        refused(with(PHI3, "original_max_position_embeddings", "0"))
                .hasMessageContaining("'original_max_position_embeddings' must be a positive integer, got 0");
        refused(withScaling("original_max_position_embeddings", "-5"))
                .hasMessageContaining("'rope_scaling.original_max_position_embeddings' must be a positive integer");
        // 1 is positive, but ln(1) = 0 makes the LongRoPE attention factor infinite.
        refused(with(PHI3, "original_max_position_embeddings", "1")).hasMessageContaining("LongRoPE attention factor")
                .hasMessageContaining("original_max_position_embeddings 1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"short_factor|[1, 1, 1, 1, 1, 1, 1, 0]", "long_factor|[2, 2, 2, 2, 2, 2, -2, 4]",
        "short_factor|[1, 1, 1, 1, 1, 1, 1, \"x\"]", "long_factor|[2, 2, 2, 2, 2, 2, 2, 1e39]"})
    void longRopeFactorsAreFinitePositiveDivisors(String key, String value) throws Exception {
        refused(withScaling(key, value)).hasMessageContaining("'rope_scaling." + key + "' entry")
                .hasMessageContaining("must be a finite number > 0");
    }

    @Test
    void longRopeAttentionFactorIsFinitePositive() throws Exception {
        refused(withScaling("attention_factor", "0")).hasMessageContaining("'rope_scaling.attention_factor' must be a finite number > 0");
        refused(withScaling("attention_factor", "1e300")).hasMessageContaining("LongRoPE attention factor from attention_factor");
        // Found by ConfigFuzzTest: positive as a double, 0 in float32, which zeroes every rotated element.
        refused(withScaling("attention_factor", "1e-320")).hasMessageContaining("must be a finite number > 0 in float32");
    }

    @Test
    void fieldsOfTheWrongTypeAreRefused() throws Exception {
        refused(with(LLAMA, "tie_word_embeddings", "\"true\"")).hasMessageContaining("'tie_word_embeddings' must be true or false");
        refused(with(LLAMA, "attention_bias", "1")).hasMessageContaining("'attention_bias' must be true or false");
        refused(with(LLAMA, "hidden_act", "7")).hasMessageContaining("'hidden_act' must be a string");
        refused(with(LLAMA, "model_type", "[\"llama\"]")).hasMessageContaining("'model_type' must be a string");
        refused(with(LLAMA, "architectures", "[7]")).hasMessageContaining("'architectures' must list class names");
        refused(with(LLAMA, "rope_scaling", "\"longrope\"")).hasMessageContaining("'rope_scaling' must be an object");
        refused(with(LLAMA, "rope_parameters", "[]")).hasMessageContaining("'rope_parameters' must be an object");
    }

    @Test
    void tokenIdsAreInsideTheVocabulary() throws Exception {
        refused(with(LLAMA, "bos_token_id", "320")).hasMessageContaining("'bos_token_id' (320) must be a token id in [0, vocab_size 320)");
        refused(with(LLAMA, "bos_token_id", "\"<s>\"")).hasMessageContaining("'bos_token_id' must be an integer");
        refused(with(LLAMA, "eos_token_id", "[2, -1]")).hasMessageContaining("'eos_token_id' must be a token id in [0, vocab_size 320)");
        refused(with(LLAMA, "eos_token_id", "\"</s>\"")).hasMessageContaining("'eos_token_id' must be a token id");
    }

    @Test
    void theGenerationConfigIsNamedForItsOwnErrors() throws Exception {
        Files.writeString(dir.resolve("config.json"), LLAMA);
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [2, 9999]}");
        assertThatThrownBy(() -> ConfigLoader.load(dir)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(dir.resolve("generation_config.json") + ": 'eos_token_id' must be a token id");
        Files.writeString(dir.resolve("generation_config.json"), "[1]");
        assertThatThrownBy(() -> ConfigLoader.load(dir)).hasMessageContaining("generation_config.json: must hold a JSON object");
    }

    @Test
    void aConfigThatIsNotAJsonObjectIsNamed() throws Exception {
        refused("[]").hasMessageContaining("must hold a JSON object, got ARRAY");
        refused("{\"hidden_size\": ").hasMessageContaining("cannot read");
        refused("").hasMessageContaining("must hold a JSON object");
    }
}
