package org.qins.tools.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The Markdown of a {@link LayoutReport}: a summary, the per-tensor and per-layer tables, and the plots. */
public final class ReportMarkdown {

    private ReportMarkdown() {
    }

    /** The per-tensor table: shape, format, bytes, relative error, weights flushed to zero, and the formats' counts as shares. */
    public static String tensorTable(LayoutReport r) {
        List<String> counts = r.countNames();
        List<String[]> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("tensor", "shape", "format", "B/weight", "rel. error", "flushed to 0"));
        counts.forEach(c -> head.add(c));
        rows.add(head.toArray(String[]::new));
        for (TensorError t : r.tensors()) {
            List<String> row = new ArrayList<>(List.of(t.name(), t.rows() + "x" + t.cols(), t.format(),
                    fixed(t.bytesPerWeight()), percent(t.relativeError()), percent((double) t.flushed() / t.weights())));
            for (String c : counts) {
                double share = t.statistics().share(c);
                row.add(Double.isNaN(share) ? "-" : percent(share));
            }
            rows.add(row.toArray(String[]::new));
        }
        List<String> all = new ArrayList<>(List.of("all encoded (" + r.tensors().size() + " tensors)", String.format(Locale.ROOT,
                "%,d weights", r.weights()), "", fixed(r.bytesPerWeight()), percent(r.relativeError()),
                percent((double) r.flushed() / r.weights())));
        for (String c : counts) {
            long[] pooled = r.pooledCount(c);
            all.add(percent((double) pooled[0] / pooled[1]));
        }
        rows.add(all.toArray(String[]::new));
        return TextTable.markdown(rows);
    }

    /** The per-layer table: each group's weights, error and the KL of the float model with only that group encoded. */
    public static String layerTable(LayoutReport r) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"layer", "weights", "rel. error", "mean KL, only this layer encoded", "share of the layers' sum",
            "max KL", "tf top-1"});
        double sum = r.sumOfLayerKl();
        for (LayerContribution l : r.layers()) {
            rows.add(new String[] {l.group(), String.format(Locale.ROOT, "%,d", l.weights()), percent(l.relativeError()),
                sci(l.score().meanKl()), sum > 0 ? percent(l.score().meanKl() / sum) : "-", sci(l.score().maxKl()),
                fixed(l.score().top1())});
        }
        rows.add(new String[] {"sum of the layers", "", "", sci(sum), "", "", ""});
        LayerContribution a = r.all();
        rows.add(new String[] {"all encoded", String.format(Locale.ROOT, "%,d", a.weights()), percent(a.relativeError()),
            sci(a.score().meanKl()), "", sci(a.score().maxKl()), fixed(a.score().top1())});
        return TextTable.markdown(rows);
    }

    /** The whole report; {@code plots} are the PNG file names written next to it, as {alt text, file}. */
    public static String render(LayoutReport r, List<String[]> plots) {
        StringBuilder b = new StringBuilder("# Layout report\n\n");
        b.append("- converted: `").append(r.converted()).append("`\n");
        b.append("- float source: `").append(r.source()).append("`\n");
        b.append("- model: ").append(r.model()).append('\n');
        r.formats().forEach(f -> b.append("- format: ").append(f).append('\n'));
        b.append(String.format(Locale.ROOT, "- encoded: %,d weights in %d tensors, %s bytes per weight, relative error %s%n",
                r.weights(), r.tensors().size(), fixed(r.bytesPerWeight()), percent(r.relativeError())));
        b.append("\n## Per tensor\n\n");
        b.append("rel. error: ||decoded - source|| / ||source||; flushed to 0: non-zero source weights that decode to 0; "
                + "the other columns are the stored format's own counts, as shares of the tensor's weights.\n\n");
        b.append(tensorTable(r));
        if (r.hasLayerKl()) {
            b.append("\n## Per layer: KL contribution\n\n");
            b.append("Each row loads the float model with only that layer's weights taken from the converted checkpoint "
                    + "(decoded to float32 by their format) and scores it against the float model: compare.py's KL estimate "
                    + "(reference top 20 plus a tail bucket) per teacher-forced position, on ").append(r.reference())
                    .append(". KL is not additive: compare the sum of the layers with all encoded at once.\n\n");
            b.append(layerTable(r));
        }
        if (!plots.isEmpty()) {
            b.append("\n## Plots\n\n");
            for (String[] p : plots) {
                b.append("![").append(p[0]).append("](").append(p[1]).append(")\n\n");
            }
        }
        return b.toString();
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.3f%%", share * 100);
    }

    static String fixed(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String sci(double v) {
        return String.format(Locale.ROOT, "%.3e", v);
    }
}
