package io.tributary.job.report;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The charts of a run report, drawn with XChart and encoded as SVG. */
final class Charts {
    private static final int WIDTH = 560;
    private static final int HEIGHT = 360;

    private Charts() {
    }

    /** One line per series over epochs 1..n; a series of NaN only is left out. */
    static byte[] perEpoch(String title, String yTitle, double[] epochs, List<String> names, List<double[]> series) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(8);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setXAxisTickMarkSpacingHint(Math.max(40, (WIDTH - 100) / Math.max(1, epochs.length)));
        // The y range padded around the values, so points at the extremes (a single epoch's) stay visible.
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] y : series) {
            for (double v : y) {
                if (!Double.isNaN(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min <= max) {
            double pad = Math.max(Math.max((max - min) * 0.1, Math.abs(max) * 0.05), 1e-3);
            chart.getStyler().setYAxisMin(min - pad);
            chart.getStyler().setYAxisMax(max + pad);
        }
        chart.getStyler().setYAxisDecimalPattern("0.###");
        for (int i = 0; i < names.size(); i++) {
            double[] y = series.get(i);
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int e = 0; e < y.length; e++) {
                if (!Double.isNaN(y[e])) {
                    xs.add(epochs[e]);
                    ys.add(y[e]);
                }
            }
            if (!xs.isEmpty()) chart.addSeries(names.get(i), xs, ys);
        }
        return svg(chart);
    }

    /** The confusion matrix as a heat map: actual class down (class 0 at the top), predicted across. */
    static byte[] confusion(long[][] confusion) {
        int n = confusion.length;
        List<String> predicted = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (int c = 0; c < n; c++) predicted.add(String.valueOf(c));
        for (int c = n - 1; c >= 0; c--) actual.add(String.valueOf(c));
        List<Number[]> cells = new ArrayList<>();
        long max = 1;
        for (int a = 0; a < n; a++) {
            for (int p = 0; p < n; p++) {
                cells.add(new Number[] {p, n - 1 - a, confusion[a][p]});
                max = Math.max(max, confusion[a][p]);
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH + 60).height(WIDTH).title("Confusion matrix (test)")
                .xAxisTitle("predicted class").yAxisTitle("actual class").build();
        style(chart.getStyler());
        chart.getStyler().setShowValue(true);
        chart.getStyler().setValueFontColor(Color.BLACK);
        chart.getStyler().setHeatMapValueDecimalPattern("0");
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(max);
        chart.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(0xfd, 0xd0, 0xa2),
                new Color(0xfd, 0x8d, 0x3c), new Color(0xd9, 0x48, 0x01)});
        chart.getStyler().setLegendVisible(true);
        chart.addSeries("examples", predicted, actual, cells);
        return svg(chart);
    }

    /** Grouped bars: one group per category, one bar per series. */
    static byte[] bars(String title, String xTitle, String yTitle, List<String> categories, List<String> names,
                       List<double[]> series, Double yMax) {
        return svg(barChart(title, xTitle, yTitle, categories, names, series, yMax));
    }

    static CategoryChart barChart(String title, String xTitle, String yTitle, List<String> categories,
                                  List<String> names, List<double[]> series, Double yMax) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        // Bars start at zero; ticks read like the report's tables (1,647 examples/s, 0.85), never
        // XChart's full double (with a single bar its only tick is the value itself).
        chart.getStyler().setYAxisMin(0.0);
        if (yMax != null) chart.getStyler().setYAxisMax(yMax);
        chart.getStyler().setYAxisDecimalPattern(yMax != null && yMax <= 1 ? "0.##" : "#,##0");
        for (int i = 0; i < names.size(); i++) {
            List<Double> ys = new ArrayList<>();
            for (double v : series.get(i)) ys.add(v);
            chart.addSeries(names.get(i), categories, ys);
        }
        return chart;
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBorderVisible(false);
        styler.setChartTitleBoxVisible(false);
        styler.setLegendBorderColor(Color.LIGHT_GRAY);
        styler.setAntiAlias(true);
        if (styler instanceof AxesChartStyler axes) {
            axes.setLocale(Locale.ROOT);   // the same digits and separators on every machine
        }
    }

    private static byte[] svg(Chart<?, ?> chart) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
