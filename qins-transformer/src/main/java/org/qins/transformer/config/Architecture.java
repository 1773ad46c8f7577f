package org.qins.transformer.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The model families the engine runs, by their Hugging Face class name and {@code model_type}. */
public enum Architecture {
    /** GQA, RMSNorm, rotate-half RoPE, SwiGLU; separate q/k/v and gate/up projections. */
    LLAMA("LlamaForCausalLM", "llama"),
    /** Llama's math with fused {@code qkv_proj} and {@code gate_up_proj}, and LongRoPE. */
    PHI3("Phi3ForCausalLM", "phi3");

    private final String className;
    private final String modelType;

    Architecture(String className, String modelType) {
        this.className = className;
        this.modelType = modelType;
    }

    public String className() {
        return className;
    }

    public String modelType() {
        return modelType;
    }

    /** The architecture named in {@code architectures[0]}, or an error listing the supported ones. */
    public static Architecture forClassName(String name, String source) {
        for (Architecture a : values()) {
            if (a.className.equals(name)) {
                return a;
            }
        }
        throw new UnsupportedModelException(source + ": unsupported architecture '" + name + "' (supported: "
                + Arrays.stream(values()).map(Architecture::className).collect(Collectors.joining(", ")) + ")");
    }
}
