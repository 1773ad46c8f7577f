package org.qins.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.qins.api.DType;
import org.qins.tools.synth.ModelShape;
import org.qins.tools.synth.RandomModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins synth}: writes a deterministic random model (TinyLlama-, Phi-3.5-mini- or Llama-3-8B-shaped, for qins bench). */
@Command(name = "synth", description = {"Write a deterministic random Llama, Llama 3 or Phi-3 model in Hugging Face layout "
        + "(config.json + model.safetensors, or shards of at most --shard-size and model.safetensors.index.json), shaped like "
        + "trained weights.",
    "Reused when --output already holds the same model; a model of another shape, dtype or seed there is refused."})
final class SynthCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--shape", defaultValue = "demo",
            description = "demo | tinyllama-1b | phi3.5-mini | llama3-8b | [llama|llama3|phi3:]hidden,layers,heads,kvHeads,"
                    + "intermediate,vocab. Default: ${DEFAULT-VALUE}.")
    String shape;

    @Option(names = "--partial-rotary", description = "partial_rotary_factor in (0, 1] (phi3 family: rotate only this share of"
            + " each head's dims, as Phi-4-mini's 0.75). Default: 1 (all).")
    Double partialRotary;

    @Option(names = "--shard-size", defaultValue = "5GB", description = "Most tensor bytes per shard, as the Hub's max_shard_size"
            + " (e.g. 5GB, 500MB, 1000000). Default: ${DEFAULT-VALUE}.")
    String shardSize;

    @Option(names = "--output", required = true, description = "Directory to write (written to a temporary name, then renamed).")
    Path output;

    @Option(names = "--dtype", defaultValue = "bf16", description = "f32 | f16 | bf16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ModelShape s = ModelShape.parse(shape);
        if (partialRotary != null) {
            s = s.withPartialRotary(partialRotary);
        }
        DType t = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> DType.F32;
            case "f16", "float16" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--dtype must be f32, f16 or bf16, not " + dtype);
        };
        long t0 = System.nanoTime();
        boolean wrote = new RandomModelWriter(s, seed, t, ByteSizes.parse("--shard-size", shardSize)).writeIfAbsent(output);
        out.printf(Locale.ROOT, "%s %s (%s, %.1f M parameters, %s, seed %d)%s%n", wrote ? "wrote" : "reused (already there)", output, s.key(),
                s.parameters() / 1e6, t, seed, wrote ? String.format(Locale.ROOT, " in %.1f s", (System.nanoTime() - t0) / 1e9) : "");
        out.flush();
        return 0;
    }
}
