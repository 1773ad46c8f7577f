package org.qins.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.qins.tools.demo.Demo;
import org.qins.tools.synth.ModelShape;
import picocli.CommandLine.Command;
import org.qins.transformer.QinsEngine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins demo}: float vs Pattern A vs legacy on a built-in random model. */
@Command(name = "demo", description = "Create a small deterministic model (cached), convert it to QINS, and compare float, "
        + "Pattern A and legacy side by side.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--cache-dir", description = "Where the demo models live (default: $QINS_CACHE, else ~/.cache/qins).")
    Path cacheDir;

    @Option(names = "--shape", defaultValue = "demo", description = "Model shape (demo | hidden,layers,heads,kvHeads,intermediate,vocab). Default: ${DEFAULT-VALUE}.")
    String shape;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--json", description = "Write every number to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Checks check = new Checks(spec);
        ModelShape modelShape = shape(check);
        if (json != null) {
            check.outputFile("--json", json);
        }
        if (cacheDir != null && Files.exists(cacheDir) && !Files.isDirectory(cacheDir)) {
            throw check.fail("--cache-dir " + cacheDir + ": a file, not a directory");
        }
        long t0 = System.nanoTime();
        Demo.Result r;
        int n;
        try (QinsEngine engine = threads.engine().build()) {
            n = engine.threads();
            r = new Demo(engine).run(cacheDir != null ? cacheDir : Demo.defaultCacheRoot(), modelShape);
        }
        Demo.print(r, out);
        out.printf(java.util.Locale.ROOT, "%n(%d threads, %.1f s)%n", n, (System.nanoTime() - t0) / 1e9);
        if (json != null) {
            Json.write(Demo.toJson(r), json);
            out.printf("wrote %s%n", json);
        }
        out.flush();
        return 0;
    }

    /** The --shape: a preset or six positive sizes that fit together. */
    private ModelShape shape(Checks check) {
        if (shape.contains(",")) {
            for (String part : shape.split(",", -1)) {
                String p = part.strip();
                if (!p.matches("0*[1-9]\\d{0,9}") || Long.parseLong(p) > Integer.MAX_VALUE) {
                    throw check.fail("--shape " + shape + ": '" + p + "' is not a positive whole number (hidden,layers,heads,"
                            + "kvHeads,intermediate,vocab)");
                }
            }
        }
        try {
            return ModelShape.parse(shape);
        } catch (IllegalArgumentException e) {
            throw check.fail("--shape " + shape + ": " + e.getMessage().replaceFirst("^shape '[^']*': ", ""));
        }
    }
}
