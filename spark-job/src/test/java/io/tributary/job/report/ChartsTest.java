package io.tributary.job.report;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.internal.chartpart.Chart;

import java.awt.image.BufferedImage;
import java.lang.reflect.Field;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tick labels XChart draws on the report's bar charts. The SVG holds text as glyph outlines, so
 * the labels are read from the axis after the chart was painted.
 */
class ChartsTest {
    @Test
    void throughputTicksReadLikeTheTablesNumbers() throws Exception {
        List<String> labels = yTickLabels(Charts.barChart("Training throughput", "epoch", "examples/s", List.of("1"),
                List.of("examples/s"), List.of(new double[] {1647.1550805076797}), null));
        assertFalse(labels.isEmpty());
        for (String label : labels) {
            assertTrue(label.matches("\\d{1,3}(,\\d{3})*"), "tick \"" + label + "\" of " + labels);
        }
    }

    /** Paints the chart (which computes its ticks) and reads the y axis' labels from XChart's internals. */
    @SuppressWarnings("rawtypes")
    private static List<String> yTickLabels(CategoryChart chart) throws Exception {
        BufferedImage image = new BufferedImage(560, 360, BufferedImage.TYPE_INT_RGB);
        chart.paint(image.createGraphics(), 560, 360);
        Field pair = Chart.class.getDeclaredField("axisPair");
        pair.setAccessible(true);
        Object axisPair = pair.get(chart);
        var getY = axisPair.getClass().getDeclaredMethod("getYAxis");
        getY.setAccessible(true);
        Object axis = getY.invoke(axisPair);
        Object calc = axis.getClass().getMethod("getAxisTickCalculator").invoke(axis);
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) calc.getClass().getMethod("getTickLabels").invoke(calc);
        return labels;
    }
}
