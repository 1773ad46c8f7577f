package org.qins.transformer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.qins.transformer.arch.BuiltInArchitectures;
import org.qins.transformer.arch.Projection;

class ConfigLoaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String LLAMA_V5 = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 96, "intermediate_size": 256,
             "num_hidden_layers": 3, "num_attention_heads": 6, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 320,
             "rms_norm_eps": 1e-05, "max_position_embeddings": 512, "eos_token_id": 2, "bos_token_id": 1,
             "rope_parameters": {"rope_theta": 500000.0, "rope_type": "default"}, "tie_word_embeddings": false}""";

    private static final String PHI3_LEGACY = """
            {"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "hidden_size": 96, "intermediate_size": 256,
             "num_hidden_layers": 3, "num_attention_heads": 6, "num_key_value_heads": 3, "vocab_size": 320,
             "rms_norm_eps": 1e-05, "max_position_embeddings": 1024, "original_max_position_embeddings": 256,
             "rope_theta": 10000.0, "eos_token_id": 2,
             "rope_scaling": {"type": "longrope", "short_factor": [1, 1, 1, 1, 1, 1, 1, 2], "long_factor": [2, 2, 2, 2, 2, 2, 2, 4]}}""";

    private static ModelConfig parse(String json) throws Exception {
        return ConfigLoader.parse(JSON.readTree(json), null, "config.json");
    }

    private static String with(String json, String key, String value) throws Exception {
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(json);
        node.set(key, JSON.readTree(value));
        return node.toString();
    }

    @Test
    void readsTheTransformers5Style() throws Exception {
        ModelConfig c = parse(LLAMA_V5);
        assertThat(c.architecture()).isEqualTo(BuiltInArchitectures.LLAMA);
        assertThat(c.rope().type()).isEqualTo("default");
        assertThat(c.rope().theta()).isEqualTo(500000.0);
        assertThat(c.rope().rotaryDim()).isEqualTo(16);
        assertThat(c.rope().attentionFactor()).isEqualTo(1.0);
        assertThat(c.groupSize()).isEqualTo(3);
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.tieWordEmbeddings()).isFalse();
    }

    @Test
    void readsTheOlderStyleWithLongRope() throws Exception {
        ModelConfig c = parse(PHI3_LEGACY);
        assertThat(c.architecture()).isEqualTo(BuiltInArchitectures.PHI3);
        assertThat(c.headDim()).isEqualTo(16); // hidden / heads when head_dim is absent
        RopeConfig r = c.rope();
        assertThat(r.type()).isEqualTo("longrope");
        assertThat(r.theta()).isEqualTo(10000.0);
        RopeScaling.LongRope l = (RopeScaling.LongRope) r.scaling();
        assertThat(l.originalMax()).isEqualTo(256);
        assertThat(l.shortFactor()).containsExactly(1, 1, 1, 1, 1, 1, 1, 2);
        assertThat(l.longFactor()).containsExactly(2, 2, 2, 2, 2, 2, 2, 4);
        // s = 1024 / 256 = 4: sqrt(1 + ln 4 / ln 256) = sqrt(1.25)
        assertThat(r.attentionFactor()).isCloseTo(Math.sqrt(1.25), within(1e-12));
    }

    @Test
    void olderStyleWithNullScalingIsDefaultRope() throws Exception {
        ModelConfig c = parse(with(with(LLAMA_V5, "rope_parameters", "null"), "rope_scaling", "null"));
        assertThat(c.rope().type()).isEqualTo("default");
        assertThat(c.rope().theta()).isEqualTo(10000.0);
    }

    @Test
    void phi35MiniAttentionFactor() {
        // Phi-3.5-mini: original 4096, max 131072: s = 32, sqrt(1 + ln 32 / ln 4096) = sqrt(1 + 5/12)
        assertThat(RopeConfig.longRopeAttentionFactor(131072, 4096)).isCloseTo(Math.sqrt(17.0 / 12.0), within(1e-12));
        assertThat(RopeConfig.longRopeAttentionFactor(4096, 4096)).isEqualTo(1.0);
    }

    @Test
    void anExplicitAttentionFactorWins() throws Exception {
        JsonNode tree = JSON.readTree(PHI3_LEGACY);
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("rope_scaling")).put("attention_factor", 1.5);
        assertThat(ConfigLoader.parse(tree, null, "config.json").rope().attentionFactor()).isEqualTo(1.5);
    }

    @Test
    void eosFromGenerationConfigMayBeAList() throws Exception {
        ModelConfig c = ConfigLoader.parse(JSON.readTree(LLAMA_V5), JSON.readTree("{\"eos_token_id\": [2, 7]}"), "config.json");
        assertThat(c.eosTokenIds()).containsExactly(2, 7);
    }

    @Test
    void rejectsAnUnsupportedArchitectureListingTheRegisteredOnes() throws Exception {
        assertThatThrownBy(() -> parse(with(LLAMA_V5, "architectures", "[\"GPT2LMHeadModel\"]")))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("config.json").hasMessageContaining("unsupported architecture 'GPT2LMHeadModel'")
                .hasMessageContaining("LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, Phi3ForCausalLM");
    }

    @Test
    void readsEachFamilysAttentionOptions() throws Exception {
        ModelConfig qwen2 = parse(with(with(LLAMA_V5, "architectures", "[\"Qwen2ForCausalLM\"]"), "model_type", "\"qwen2\""));
        assertThat(qwen2.biases()).containsExactly(Projection.QKV);
        assertThat(qwen2.slidingWindow()).isZero();
        assertThat(parse(with(LLAMA_V5, "attention_bias", "true")).biases()).containsExactlyInAnyOrder(Projection.QKV, Projection.O);
        assertThat(parse(with(LLAMA_V5, "sliding_window", "48")).slidingWindow()).as("Llama ignores sliding_window").isZero();
        String mistral = with(with(LLAMA_V5, "architectures", "[\"MistralForCausalLM\"]"), "model_type", "\"mistral\"");
        assertThat(parse(with(mistral, "sliding_window", "48")).slidingWindow()).isEqualTo(48);
        assertThat(parse(with(mistral, "sliding_window", "null")).slidingWindow()).isZero();
        assertThat(parse(with(mistral, "sliding_window", "48")).biases()).isEmpty();
    }

    @Test
    void qwenLayerTypesSlideAllOrNone() throws Exception {
        String qwen = with(with(with(LLAMA_V5, "architectures", "[\"Qwen3ForCausalLM\"]"), "model_type", "\"qwen3\""),
                "sliding_window", "64");
        assertThat(parse(with(qwen, "layer_types", "[\"sliding_attention\", \"sliding_attention\", \"sliding_attention\"]"))
                .slidingWindow()).isEqualTo(64);
        assertThat(parse(with(qwen, "layer_types", "[\"full_attention\", \"full_attention\", \"full_attention\"]"))
                .slidingWindow()).isZero();
        // older configs: use_sliding_window, layers from max_window_layers on slide
        assertThat(parse(with(with(qwen, "use_sliding_window", "true"), "max_window_layers", "0")).slidingWindow()).isEqualTo(64);
        assertThat(parse(with(with(qwen, "use_sliding_window", "true"), "max_window_layers", "28")).slidingWindow()).isZero();
        assertThatThrownBy(() -> parse(with(qwen, "layer_types", "[\"full_attention\", \"sliding_attention\", \"full_attention\"]")))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("1 of 3 layers use sliding-window attention");
    }

    @Test
    void rejectsAModelTypeMismatch() throws Exception {
        assertThatThrownBy(() -> parse(with(LLAMA_V5, "model_type", "\"phi3\"")))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("model_type 'phi3' does not match architecture LlamaForCausalLM");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yarn", "dynamic", "ntk"})
    void rejectsOtherRopeTypesNamingTheField(String type) throws Exception {
        assertThatThrownBy(() -> parse(with(LLAMA_V5, "rope_parameters", "{\"rope_type\": \"" + type + "\", \"rope_theta\": 1e4, \"factor\": 8}")))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("unsupported rope type '" + type + "' in rope_parameters.rope_type")
                .hasMessageContaining("supported: default, linear, llama3, longrope");
        assertThatThrownBy(() -> parse(with(with(LLAMA_V5, "rope_parameters", "null"), "rope_scaling",
                "{\"type\": \"" + type + "\", \"factor\": 8}")))
                .hasMessageContaining("unsupported rope type '" + type + "' in rope_scaling.type");
    }

    @Test
    void readsLlama3AndLinearScaling() throws Exception {
        ModelConfig c = parse(with(with(LLAMA_V5, "rope_parameters", "null"), "rope_scaling", """
                {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192,
                 "rope_type": "llama3"}"""));
        assertThat(c.rope().scaling()).isEqualTo(new RopeScaling.Llama3(32, 1, 4, 8192));
        assertThat(c.rope().attentionFactor()).isEqualTo(1.0);
        ModelConfig linear = parse(with(LLAMA_V5, "rope_parameters", "{\"rope_type\": \"linear\", \"rope_theta\": 1e4, \"factor\": 2}"));
        assertThat(linear.rope().scaling()).isEqualTo(new RopeScaling.Linear(2));
        assertThatThrownBy(() -> parse(with(LLAMA_V5, "rope_parameters", "{\"rope_type\": \"llama3\", \"factor\": 8}")))
                .hasMessageContaining("'rope_parameters.low_freq_factor' is missing (a finite number > 0)");
    }

    @Test
    void rejectsLongRopeFactorsOfTheWrongLength() throws Exception {
        String bad = PHI3_LEGACY.replace("\"short_factor\": [1, 1, 1, 1, 1, 1, 1, 2]", "\"short_factor\": [1, 2]");
        assertThatThrownBy(() -> parse(bad)).hasMessageContaining("'rope_scaling.short_factor' must be a list of 8");
    }
}
