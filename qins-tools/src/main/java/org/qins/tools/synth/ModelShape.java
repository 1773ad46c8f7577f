package org.qins.tools.synth;

/**
 * Llama shapes of a synthetic model.
 *
 * @param hidden       hidden size
 * @param layers       decoder layers
 * @param heads        attention heads
 * @param kvHeads      key/value heads (GQA when fewer than heads)
 * @param intermediate MLP width
 * @param vocab        vocabulary size
 */
public record ModelShape(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab) {

    /** The demo's default: about 3.4 M parameters, GQA, runs in seconds. */
    public static final ModelShape DEMO = new ModelShape(256, 4, 8, 4, 688, 1024);

    /** TinyLlama-1.1B's shapes (the README's performance benchmark model): 1.10 B parameters. */
    public static final ModelShape TINYLLAMA_1B = new ModelShape(2048, 22, 32, 4, 5632, 32000);

    public ModelShape {
        if (hidden % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " must divide by heads " + heads
                    + " and heads by kv heads " + kvHeads);
        }
    }

    public int headDim() {
        return hidden / heads;
    }

    /** A file-name-safe key: {@code h256-l4-a8-kv4-i688-v1024}. */
    public String key() {
        return "h" + hidden + "-l" + layers + "-a" + heads + "-kv" + kvHeads + "-i" + intermediate + "-v" + vocab;
    }

    /** Parameters of every tensor (embedding and untied head included). */
    public long parameters() {
        long kv = (long) kvHeads * headDim();
        long perLayer = 2L * hidden * hidden + 2L * hidden * kv + 3L * hidden * intermediate + 2L * hidden;
        return layers * perLayer + 2L * vocab * hidden + hidden;
    }

    /** Parses {@code hidden,layers,heads,kvHeads,intermediate,vocab} or a preset name ({@code demo}, {@code tinyllama-1b}). */
    public static ModelShape parse(String s) {
        return switch (s) {
            case "demo" -> DEMO;
            case "tinyllama-1b" -> TINYLLAMA_1B;
            default -> {
                String[] p = s.split(",");
                if (p.length != 6) {
                    throw new IllegalArgumentException("shape '" + s
                            + "': expected demo, tinyllama-1b or hidden,layers,heads,kvHeads,intermediate,vocab");
                }
                int[] v = java.util.Arrays.stream(p).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
                yield new ModelShape(v[0], v[1], v[2], v[3], v[4], v[5]);
            }
        };
    }
}
