package org.qins.tools.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Writes a {@link LayoutReport} as {@value #MARKDOWN} and its PNG plots into a new directory, whole or not at all. */
public final class ReportFiles {

    public static final String MARKDOWN = "report.md";

    private ReportFiles() {
    }

    /** Writes the report into {@code output} (which must not exist); returns the files written, the Markdown first. */
    public static List<Path> write(LayoutReport report, Path output) {
        List<ReportPlots.Plot> plots = ReportPlots.of(report);
        String markdown = ReportMarkdown.render(report, plots.stream().map(p -> new String[] {p.title(), p.file()}).toList());
        ReportDirectory dir = new ReportDirectory().add(MARKDOWN, out -> out.write(markdown.getBytes(StandardCharsets.UTF_8)));
        plots.forEach(p -> dir.add(p.file(), p::writePng));
        return dir.writeTo(output);
    }
}
