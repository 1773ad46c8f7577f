package org.qins.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.qins.tools.report.LayoutReport;
import org.qins.tools.report.LayoutReporter;
import org.qins.tools.report.ReportFiles;
import org.qins.tools.report.ReportMarkdown;
import org.qins.tools.report.ReportSettings;
import org.qins.tools.validate.StandardPrompts;
import org.qins.transformer.QinsEngine;
import org.qins.transformer.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins report}: where a converted checkpoint's error goes, per tensor and per layer, as Markdown and PNG plots. */
@Command(name = "report", description = {"Show where a converted checkpoint's error goes, against its float source: per "
        + "tensor the relative weight error, weights flushed to zero and the format's code counts; a histogram of the codes; "
        + "per layer the KL of the float model with only that layer encoded.",
    "Writes report.md and PNG plots into --output (a new directory), and prints the tables."})
final class ReportCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "The converted checkpoint directory.")
    Path model;

    @Option(names = "--source", required = true, description = "The float checkpoint it was converted from.")
    Path source;

    @Option(names = "--output", required = true, description = "Directory to write (must not exist): report.md and the plots.")
    Path output;

    @Option(names = "--reference", description = "An llm-ref/1 file: its prompts and teacher-forced tokens are used "
            + "(default: the fixtures' three prompts continued greedily by the float model).")
    Path reference;

    @Option(names = "--steps", description = "Greedy steps per prompt without --reference. Default: 64.")
    Integer steps;

    @Option(names = "--no-kl", description = "Skip the per-layer KL (weights only: no model runs).")
    boolean noKl;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() {
        Checks check = new Checks(spec);
        if (reference != null && steps != null) {
            throw check.fail("a reference file brings its own tokens: drop --steps");
        }
        // Everything checked before a weight is read: a report takes minutes, a typo should not.
        check.model("--model", model);
        check.model("--source", source);
        check.newDirectory("--output", output);
        if (reference != null) {
            check.inputFile("--reference", reference);
        }
        if (steps != null) {
            check.atLeast("--steps", steps, 1);
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // plots are drawn off-screen
        }
        ReportSettings settings = reference != null ? ReportSettings.ofReference(reference)
                : ReportSettings.ofPrompts(StandardPrompts.forVocab(ConfigLoader.load(source).vocabSize()),
                        steps != null ? steps : StandardPrompts.DEFAULT_STEPS);
        if (noKl) {
            settings = settings.withoutLayerKl();
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LayoutReport report;
        try (QinsEngine engine = threads.engine().build()) {
            report = new LayoutReporter(engine).run(model, source, settings, line -> {
                err.println(line);
                err.flush();
            });
        }
        List<Path> written = ReportFiles.write(report, output);
        out.print(ReportMarkdown.tensorTable(report));
        if (report.hasLayerKl()) {
            out.println();
            out.print(ReportMarkdown.layerTable(report));
        }
        out.printf("%nwrote %s (%s)%n", output, String.join(", ", written.stream().map(p -> p.getFileName().toString()).toList()));
        out.flush();
        return 0;
    }
}
