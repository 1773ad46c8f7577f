package org.qins.tools.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.qins.api.DType;
import org.qins.tools.synth.ModelShape.Family;

/**
 * The {@code config.json} and {@code generation_config.json} of a synthetic model, written the way
 * the Hub's files of the family are: Llama in transformers 5's {@code rope_parameters} style; Llama 3
 * and Phi-3 in the older {@code rope_scaling} style of Llama-3.1-8B's and Phi-3.5-mini's own configs
 * (rope {@code llama3} with factor 8; LongRoPE with short and long factor lists of rotary dim / 2
 * entries shaped like Phi-3.5-mini's, not equal to them).
 */
final class SynthConfig {

    private final ModelShape shape;
    private final DType dtype;

    SynthConfig(ModelShape shape, DType dtype) {
        this.shape = shape;
        this.dtype = dtype;
    }

    void write(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        Family f = shape.family();
        c.putArray("architectures").add(f == Family.PHI3 ? "Phi3ForCausalLM" : "LlamaForCausalLM");
        c.put("model_type", f == Family.PHI3 ? "phi3" : "llama");
        c.put("hidden_size", shape.hidden());
        c.put("intermediate_size", shape.intermediate());
        c.put("num_hidden_layers", shape.layers());
        c.put("num_attention_heads", shape.heads());
        c.put("num_key_value_heads", shape.kvHeads());
        if (f != Family.PHI3) {
            c.put("head_dim", shape.headDim());
        }
        c.put("vocab_size", shape.vocab());
        c.put("max_position_embeddings", shape.context());
        c.put("rms_norm_eps", 1e-5);
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", false);
        int[] ids = specialIds();
        c.put("bos_token_id", ids[0]);
        c.put("eos_token_id", ids[1]);
        c.put("torch_dtype", dtype == DType.F32 ? "float32" : dtype == DType.F16 ? "float16" : "bfloat16");
        switch (f) {
            case LLAMA -> {
                ObjectNode rope = c.putObject("rope_parameters");
                rope.put("rope_type", "default");
                rope.put("rope_theta", 10000.0);
            }
            case LLAMA3 -> {
                c.put("rope_theta", 500000.0);
                ObjectNode rope = c.putObject("rope_scaling");
                rope.put("factor", 8.0);
                rope.put("low_freq_factor", 1.0);
                rope.put("high_freq_factor", 4.0);
                rope.put("original_max_position_embeddings", shape.originalContext());
                rope.put("rope_type", "llama3");
            }
            case PHI3 -> {
                c.put("rope_theta", 10000.0);
                c.put("original_max_position_embeddings", shape.originalContext());
                c.put("sliding_window", 2 * shape.context()); // Phi-3.5-mini's config: 262144, wider than its context
                if (shape.partialRotary() != 1) {
                    c.put("partial_rotary_factor", shape.partialRotary());
                }
                ObjectNode rope = c.putObject("rope_scaling");
                rope.put("type", "longrope");
                int n = shape.rotaryDim() / 2;
                ArrayNode shortF = rope.putArray("short_factor");
                ArrayNode longF = rope.putArray("long_factor");
                for (int j = 0; j < n; j++) {
                    double x = n == 1 ? 1 : (double) j / (n - 1);
                    shortF.add(round4(1.0 + x * x));                           // 1.0 -> 2.0, as Phi-3.5-mini's rise
                    longF.add(round4(1.08 + 63.76 / (1 + Math.exp(-12 * (x - 0.4))))); // about 1.1 -> 64.8, an S curve
                }
            }
            default -> throw new IllegalStateException(f.toString());
        }
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
        ObjectNode g = json.createObjectNode();
        g.put("bos_token_id", ids[0]);
        g.put("eos_token_id", ids[1]);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("generation_config.json").toFile(), g);
    }

    /** BOS and EOS: the family's real ids where the vocabulary holds them (Phi-3.5: 1, 32000; Llama 3: 128000, 128001). */
    private int[] specialIds() {
        int v = shape.vocab();
        return switch (shape.family()) {
            case LLAMA -> new int[] {1, 2};
            case LLAMA3 -> v > 128001 ? new int[] {128000, 128001} : new int[] {1, 2};
            case PHI3 -> v > 32000 ? new int[] {1, 32000} : new int[] {1, 2};
        };
    }

    private static double round4(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
