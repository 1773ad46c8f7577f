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

/** {@code qins synth}: writes a deterministic random Llama model (e.g. TinyLlama-1.1B-shaped, for qins bench). */
@Command(name = "synth", description = "Write a deterministic random Llama model in Hugging Face layout (config.json + "
        + "model.safetensors), shaped like trained weights; reused when --output already holds one.")
final class SynthCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--shape", defaultValue = "demo",
            description = "demo | tinyllama-1b | hidden,layers,heads,kvHeads,intermediate,vocab. Default: ${DEFAULT-VALUE}.")
    String shape;

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
        DType t = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> DType.F32;
            case "f16", "float16" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--dtype must be f32, f16 or bf16, not " + dtype);
        };
        long t0 = System.nanoTime();
        boolean wrote = new RandomModelWriter(s, seed, t).writeIfAbsent(output);
        out.printf(Locale.ROOT, "%s %s (%s, %.1f M parameters, %s, seed %d)%s%n", wrote ? "wrote" : "reused", output, s.key(),
                s.parameters() / 1e6, t, seed, wrote ? String.format(Locale.ROOT, " in %.1f s", (System.nanoTime() - t0) / 1e9) : "");
        out.flush();
        return 0;
    }
}
