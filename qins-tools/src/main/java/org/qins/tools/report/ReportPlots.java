package org.qins.tools.report;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's plots as PNG (JFreeChart, drawn off-screen: no display needed): the relative error
 * per tensor grouped by layer, each pooled histogram of the formats' codes on a log scale, and
 * each layer's KL contribution. Every image is {@link #WIDTH} x {@link #HEIGHT}.
 */
public final class ReportPlots {

    public static final int WIDTH = 1000;
    public static final int HEIGHT = 500;

    private static final Color BLUE = new Color(0x3B6EA8);

    public static final String TENSOR_ERROR = "tensor-error.png";
    public static final String LAYER_KL = "layer-kl.png";

    /** One plot: its file name, alt text, and how to draw it. */
    public record Plot(String file, String title, JFreeChart chart) {

        public void writePng(OutputStream out) throws IOException {
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        }
    }

    private ReportPlots() {
    }

    /** The plots of {@code report}: the tensor errors, one per pooled histogram, and the layers' KL when measured. */
    public static List<Plot> of(LayoutReport report) {
        List<Plot> plots = new ArrayList<>();
        plots.add(tensorError(report));
        for (Map.Entry<String, long[]> h : report.pooledHistograms().entrySet()) {
            plots.add(histogram(h.getKey(), h.getValue()));
        }
        if (report.hasLayerKl()) {
            plots.add(layerKl(report));
        }
        return plots;
    }

    /** The file name of a pooled histogram's plot: {@code histogram-<name>.png}, the name reduced to [a-z0-9-]. */
    public static String histogramFile(String name) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return "histogram-" + (slug.isEmpty() ? "unnamed" : slug) + ".png";
    }

    static Plot tensorError(LayoutReport report) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (TensorError t : report.tensors()) {
            data.addValue(t.relativeError() * 100, t.localName(), t.group());
        }
        String title = "Relative weight error per tensor (all encoded: " + ReportMarkdown.percent(report.relativeError()) + ")";
        JFreeChart chart = ChartFactory.createBarChart(title, "layer", "||decoded - source|| / ||source|| (%)", data,
                PlotOrientation.VERTICAL, true, false, false);
        style(chart.getCategoryPlot(), report.tensors().size() > 60);
        return new Plot(TENSOR_ERROR, title, chart);
    }

    static Plot histogram(String name, long[] counts) {
        XYSeries series = new XYSeries(name);
        long total = 0;
        long min = Long.MAX_VALUE;
        long max = 1;
        for (int i = 0; i < counts.length; i++) {
            total += counts[i];
            if (counts[i] > 0) {
                series.add(i, counts[i]); // a log axis has no place for 0
                min = Math.min(min, counts[i]);
                max = Math.max(max, counts[i]);
            }
        }
        XYSeriesCollection data = new XYSeriesCollection(series);
        String title = String.format(Locale.ROOT, "Histogram of %s, all encoded tensors pooled (%,d weights)", name, total);
        JFreeChart chart = ChartFactory.createXYBarChart(title, name, false, "weights (log scale)", data,
                PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis y = new LogAxis("weights (log scale)");
        y.setSmallestValue(0.5);
        y.setTickUnit(new NumberTickUnit(1)); // one tick per power of ten (the unit is in log10)
        y.setNumberFormatOverride(new DecimalFormat("#,##0"));
        y.setMinorTickCount(9);
        y.setMinorTickMarksVisible(true);
        // From the power of ten below the smallest bin (so that every bar shows its foot) to above the largest.
        y.setRange(Math.pow(10, Math.floor(Math.log10(Math.min(min, max)))), max * 1.5);
        plot.setRangeAxis(y);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setRange(-0.5, counts.length - 0.5);
        XYBarRenderer bars = (XYBarRenderer) plot.getRenderer();
        bars.setBarPainter(new StandardXYBarPainter());
        bars.setShadowVisible(false);
        bars.setBase(0.5); // bars rise from below 1, so a bin of one weight still shows
        bars.setSeriesPaint(0, BLUE);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return new Plot(histogramFile(name), title, chart);
    }

    static Plot layerKl(LayoutReport report) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (LayerContribution l : report.layers()) {
            data.addValue(l.score().meanKl(), "mean KL, only this layer encoded", l.group());
        }
        String title = "KL contribution per layer (all encoded at once: " + ReportMarkdown.sci(report.all().score().meanKl())
                + " nats)";
        JFreeChart chart = ChartFactory.createBarChart(title, "layer", "mean KL vs the float model (nats)", data,
                PlotOrientation.VERTICAL, false, false, false);
        style(chart.getCategoryPlot(), report.layers().size() > 40);
        chart.getCategoryPlot().getRenderer().setSeriesPaint(0, BLUE);
        return new Plot(LAYER_KL, title, chart);
    }

    private static void style(CategoryPlot plot, boolean crowded) {
        BarRenderer bars = (BarRenderer) plot.getRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setItemMargin(0.02);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (crowded) {
            plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        }
    }
}
