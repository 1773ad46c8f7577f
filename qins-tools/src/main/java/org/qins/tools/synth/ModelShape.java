package org.qins.tools.synth;

import java.util.Arrays;
import java.util.Locale;

/**
 * The shape of a synthetic model: its family (tensor names, rope, config style) and sizes.
 *
 * @param family          Llama (rope default), Llama 3 (rope llama3) or Phi-3 (fused q/k/v and gate/up, LongRoPE)
 * @param hidden          hidden size
 * @param layers          decoder layers
 * @param heads           attention heads
 * @param kvHeads         key/value heads (GQA when fewer than heads)
 * @param intermediate    MLP width
 * @param vocab           vocabulary size
 * @param context         max_position_embeddings
 * @param originalContext the context the rope scaling starts from (Llama 3 and Phi-3; 0 for Llama)
 * @param partialRotary   partial_rotary_factor: the share of each head's dims that rotate (1 = all)
 */
public record ModelShape(Family family, int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab, int context,
        int originalContext, double partialRotary) {

    /** The model families {@code qins synth} writes. */
    public enum Family {
        /** {@code LlamaForCausalLM}, rope {@code default}, separate q/k/v and gate/up. */
        LLAMA("llama", 2048, 0),
        /** {@code LlamaForCausalLM} with rope {@code llama3} (factor 8 from 8192 positions, theta 500000), as Llama 3.1. */
        LLAMA3("llama3", 131072, 8192),
        /** {@code Phi3ForCausalLM}: fused {@code qkv_proj} and {@code gate_up_proj}, LongRoPE factor lists, as Phi-3.5-mini. */
        PHI3("phi3", 131072, 4096);

        final String id;
        final int defaultContext;
        final int defaultOriginal;

        Family(String id, int defaultContext, int defaultOriginal) {
            this.id = id;
            this.defaultContext = defaultContext;
            this.defaultOriginal = defaultOriginal;
        }

        static Family parse(String s) {
            for (Family f : values()) {
                if (f.id.equals(s)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown family '" + s + "' (llama, llama3, phi3)");
        }
    }

    /** The demo's default: about 3.4 M parameters, GQA, runs in seconds. */
    public static final ModelShape DEMO = new ModelShape(256, 4, 8, 4, 688, 1024);

    /** TinyLlama-1.1B's shapes (the README's performance benchmark model): 1.10 B parameters. */
    public static final ModelShape TINYLLAMA_1B = new ModelShape(2048, 22, 32, 4, 5632, 32000);

    /** Phi-3.5-mini-instruct's shapes: 3.82 B parameters, 128 K context from 4 K (LongRoPE). */
    public static final ModelShape PHI35_MINI = of(Family.PHI3, 3072, 32, 32, 32, 8192, 32064);

    /** Llama 3.1 8B's shapes: 8.03 B parameters, GQA 32 / 8, 128 K context (rope llama3). */
    public static final ModelShape LLAMA3_8B = of(Family.LLAMA3, 4096, 32, 32, 8, 14336, 128256);

    public ModelShape {
        java.util.Objects.requireNonNull(family, "family");
        positive("hidden", hidden);
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("intermediate", intermediate);
        positive("vocab", vocab);
        positive("context", context);
        if (hidden % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " must divide by heads " + heads
                    + " and heads by kv heads " + kvHeads);
        }
        if (family == Family.LLAMA ? originalContext != 0 : originalContext <= 0 || originalContext > context) {
            throw new IllegalArgumentException("original context " + originalContext + " must be " + (family == Family.LLAMA
                    ? "0 for the llama family" : "in [1, context " + context + "] for " + family.id));
        }
        if (!(partialRotary > 0 && partialRotary <= 1)) {
            throw new IllegalArgumentException("partial rotary factor must be in (0, 1], got " + partialRotary);
        }
        if (partialRotary != 1 && family != Family.PHI3) {
            throw new IllegalArgumentException("partial_rotary_factor is written for the phi3 family only (transformers' Llama"
                    + " ignores it), not " + family.id);
        }
        int rotary = (int) (hidden / heads * partialRotary);
        if (rotary <= 0 || rotary % 2 != 0) {
            throw new IllegalArgumentException("head dim " + hidden / heads + " x partial rotary " + partialRotary
                    + " must give an even number of rotated dims, got " + rotary);
        }
    }

    /** A Llama shape (rope default, context 2048). */
    public ModelShape(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab) {
        this(Family.LLAMA, hidden, layers, heads, kvHeads, intermediate, vocab, Family.LLAMA.defaultContext, 0, 1.0);
    }

    /** A shape of {@code family} with its default contexts. */
    public static ModelShape of(Family family, int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab) {
        return new ModelShape(family, hidden, layers, heads, kvHeads, intermediate, vocab, family.defaultContext,
                family.defaultOriginal, 1.0);
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    /** The same shape rotating only {@code factor} of each head's dims (phi3 family). */
    public ModelShape withPartialRotary(double factor) {
        return new ModelShape(family, hidden, layers, heads, kvHeads, intermediate, vocab, context, originalContext, factor);
    }

    public int headDim() {
        return hidden / heads;
    }

    /** Dims of each head that rotate. */
    public int rotaryDim() {
        return (int) (headDim() * partialRotary);
    }

    /**
     * A file-name-safe key: {@code h256-l4-a8-kv4-i688-v1024} for Llama (as before families existed),
     * {@code phi3-h3072-l32-a32-kv32-i8192-v32064-c131072} otherwise.
     */
    public String key() {
        String sizes = "h" + hidden + "-l" + layers + "-a" + heads + "-kv" + kvHeads + "-i" + intermediate + "-v" + vocab;
        if (family == Family.LLAMA && context == Family.LLAMA.defaultContext) {
            return sizes;
        }
        String k = family.id + "-" + sizes + "-c" + context;
        if (originalContext != family.defaultOriginal) {
            k += "-o" + originalContext;
        }
        if (partialRotary != 1) {
            k += "-pr" + String.format(Locale.ROOT, "%s", partialRotary);
        }
        return k;
    }

    /** Parameters of every tensor (embedding and untied head included). */
    public long parameters() {
        long kv = (long) kvHeads * headDim();
        long perLayer = 2L * hidden * hidden + 2L * hidden * kv + 3L * hidden * intermediate + 2L * hidden;
        return layers * perLayer + 2L * vocab * hidden + hidden;
    }

    /**
     * Parses a preset name ({@code demo}, {@code tinyllama-1b}, {@code phi3.5-mini}, {@code llama3-8b}) or
     * {@code [family:]hidden,layers,heads,kvHeads,intermediate,vocab} (family llama, llama3 or phi3; default llama).
     */
    public static ModelShape parse(String s) {
        return switch (s) {
            case "demo" -> DEMO;
            case "tinyllama-1b" -> TINYLLAMA_1B;
            case "phi3.5-mini" -> PHI35_MINI;
            case "llama3-8b" -> LLAMA3_8B;
            default -> {
                int colon = s.indexOf(':');
                Family family = colon < 0 ? Family.LLAMA : Family.parse(s.substring(0, colon).trim());
                String[] p = s.substring(colon + 1).split(",");
                if (p.length != 6) {
                    throw new IllegalArgumentException("shape '" + s + "': expected demo, tinyllama-1b, phi3.5-mini, llama3-8b or"
                            + " [llama|llama3|phi3:]hidden,layers,heads,kvHeads,intermediate,vocab");
                }
                int[] v;
                try {
                    v = Arrays.stream(p).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("shape '" + s + "': sizes must be integers: " + e.getMessage(), e);
                }
                yield of(family, v[0], v[1], v[2], v[3], v[4], v[5]);
            }
        };
    }
}
