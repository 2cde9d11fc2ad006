package io.tributary.job.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code report.html} of a run: one self-contained page (charts embedded as SVG, no scripts, nothing
 * fetched) with the learning curves, the confusion matrix as a heat map, per-class metrics,
 * throughput and memory per epoch, the configuration and where the model came from. Built from
 * what the run publishes in {@code metrics.json} and {@code metadata.json}, so it can be rebuilt
 * from any run directory.
 */
public final class RunReport {
    /** The report's file name in a run directory. */
    public static final String FILE = "report.html";

    private RunReport() {
    }

    /** The page for a run's metrics and metadata (the maps written to metrics.json and metadata.json). */
    public static String html(Map<String, Object> metrics, Map<String, Object> metadata) {
        List<Map<String, Object>> epochs = maps(metrics.get("epochs"));
        Map<String, Object> test = map(metrics.get("test"));
        Map<String, Object> config = map(metadata.get("config"));
        Map<String, Object> model = map(metadata.get("model"));
        StringBuilder h = new StringBuilder(64 * 1024);
        String title = "Tributary run: " + config.getOrDefault("model", "model") + " on " + config.get("data");
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>").append(CSS).append("</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n<p class=\"sub\">Output ").append(esc(config.get("output")))
                .append(" &middot; created ").append(esc(metadata.get("created"))).append(" &middot; git ")
                .append(esc(metadata.get("git_revision"))).append("</p>\n");

        h.append("<div class=\"tiles\">");
        tile(h, "test accuracy", fmt("%.4f", metrics.get("test_accuracy")));
        tile(h, "test loss", fmt("%.4f", test.get("loss")));
        tile(h, "macro F1", fmt("%.4f", test.get("macro_f1")));
        tile(h, "examples/s", fmt("%.0f", metrics.get("examples_per_second")));
        tile(h, "epochs", String.valueOf(epochs.size()));
        tile(h, "wall time", fmt("%.1f s", metrics.get("wall_seconds")));
        tile(h, "parameters", fmt("%,d", model.get("parameters")));
        h.append("</div>\n");

        double[] x = new double[epochs.size()];
        for (int i = 0; i < x.length; i++) x[i] = number(epochs.get(i).get("epoch"));
        h.append("<h2>Learning curves</h2>\n<div class=\"row\">");
        img(h, "loss per epoch", () -> Charts.perEpoch("Loss", "cross-entropy", x, List.of("train (mean over the epoch)",
                "test (end of epoch)"), List.of(column(epochs, "train_loss"), column(epochs, "test_loss"))));
        img(h, "accuracy per epoch", () -> Charts.perEpoch("Accuracy", "accuracy", x, List.of("train (sample, end of epoch)",
                "test (end of epoch)"), List.of(column(epochs, "train_accuracy"), column(epochs, "test_accuracy"))));
        h.append("</div>\n");

        testSet(h, metrics, test);
        throughput(h, epochs, x);

        h.append("<h2>Configuration</h2>\n");
        table(h, config);
        h.append("<h2>Provenance</h2>\n");
        table(h, flatten(Map.of("model", model, "data", map(metadata.get("data")), "spark",
                without(map(metadata.get("spark")), "nd4j_executors"), "libraries", map(metadata.get("libraries")))));
        h.append("</body></html>\n");
        return h.toString();
    }

    /** The test set's section: the confusion heat map, per-class metrics and their table. */
    private static void testSet(StringBuilder h, Map<String, Object> metrics, Map<String, Object> test) {
        List<Map<String, Object>> classes = maps(test.get("per_class"));
        long[][] confusion = confusion(metrics.get("confusion_matrix"));
        h.append("<h2>Test set: ").append(fmt("%,d", test.get("examples"))).append(" examples</h2>\n<div class=\"row\">");
        if (confusion.length > 0) {
            // Written whole for up to Confusion.DENSE_CLASSES classes; more would not be a readable picture.
            img(h, "confusion matrix heat map", () -> Charts.confusion(confusion));
        }
        List<String> labels = new ArrayList<>();
        for (Map<String, Object> c : classes) labels.add(String.valueOf(c.get("label")));
        img(h, "precision, recall and F1 per class", () -> Charts.bars("Per-class metrics", "class", "score", labels,
                List.of("precision", "recall", "F1"), List.of(column(classes, "precision"), column(classes, "recall"),
                        column(classes, "f1")), 1.0));
        h.append("</div>\n<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th>"
                + "<th>most often taken for</th></tr>\n");
        for (Map<String, Object> c : classes) {
            int label = (int) number(c.get("label"));
            h.append("<tr><td>").append(label).append("</td><td>").append(fmt("%.4f", c.get("precision")))
                    .append("</td><td>").append(fmt("%.4f", c.get("recall"))).append("</td><td>")
                    .append(fmt("%.4f", c.get("f1"))).append("</td><td>").append(fmt("%,d", c.get("support")))
                    .append("</td><td>").append(confusedWith(confusion, label)).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    /** Throughput and memory per epoch: a chart and a table. */
    private static void throughput(StringBuilder h, List<Map<String, Object>> epochs, double[] x) {
        h.append("<h2>Throughput and memory</h2>\n<div class=\"row\">");
        List<String> epochNames = new ArrayList<>();
        for (double e : x) epochNames.add(String.valueOf((int) e));
        img(h, "training examples per second per epoch", () -> Charts.bars("Training throughput", "epoch", "examples/s",
                epochNames, List.of("examples/s"), List.of(column(epochs, "examples_per_second")), null));
        h.append("</div>\n<table><tr><th>epoch</th><th>examples</th><th>seconds</th><th>examples/s</th>"
                + "<th>train loss</th><th>train acc.</th><th>test loss</th><th>test acc.</th>"
                + "<th>driver RSS MiB</th><th>task results MiB</th></tr>\n");
        for (Map<String, Object> e : epochs) {
            h.append("<tr><td>").append(fmt("%.0f", e.get("epoch"))).append("</td><td>")
                    .append(fmt("%,d", e.get("examples"))).append("</td><td>").append(fmt("%.1f", e.get("seconds")))
                    .append("</td><td>").append(fmt("%.0f", e.get("examples_per_second"))).append("</td><td>")
                    .append(fmt("%.4f", e.get("train_loss"))).append("</td><td>")
                    .append(fmt("%.4f", e.get("train_accuracy"))).append("</td><td>")
                    .append(fmt("%.4f", e.get("test_loss"))).append("</td><td>")
                    .append(fmt("%.4f", e.get("test_accuracy"))).append("</td><td>")
                    .append(fmt("%.0f", e.get("driver_rss_mb"))).append("</td><td>")
                    .append(e.get("task_result_bytes") == null ? "" : fmt("%.1f",
                            number(e.get("task_result_bytes")) / (1 << 20))).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static final String CSS = "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:24px 32px;"
            + "color:#222;max-width:1280px}h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;"
            + "border-bottom:1px solid #ddd;padding-bottom:4px}.sub{color:#666;font-size:13px;margin-top:0}"
            + ".tiles{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.tile{border:1px solid #ddd;"
            + "border-radius:6px;padding:8px 14px;min-width:110px}.tile b{display:block;font-size:20px}"
            + ".tile span{color:#666;font-size:12px}.row{display:flex;flex-wrap:wrap;gap:16px}"
            + "img{border:1px solid #eee}table{border-collapse:collapse;font-size:13px;margin:10px 0}"
            + "td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f4f4f4}"
            + "td:first-child{text-align:left}.warn{color:#a33}";

    private static void tile(StringBuilder h, String label, String value) {
        h.append("<div class=\"tile\"><b>").append(esc(value)).append("</b><span>").append(esc(label))
                .append("</span></div>");
    }

    /** Embeds a chart; one that cannot be drawn (no fonts on a bare machine, say) is named instead, not fatal. */
    private static void img(StringBuilder h, String alt, Supplier<byte[]> chart) {
        byte[] svg;
        try {
            svg = chart.get();
        } catch (RuntimeException | Error e) {
            h.append("<p class=\"warn\">Chart \"").append(esc(alt)).append("\" could not be drawn: ")
                    .append(esc(e)).append("</p>");
            return;
        }
        h.append("<img alt=\"").append(esc(alt)).append("\" src=\"data:image/svg+xml;base64,")
                .append(Base64.getEncoder().encodeToString(svg)).append("\">");
    }

    private static void table(StringBuilder h, Map<String, Object> rows) {
        h.append("<table>\n");
        rows.forEach((k, v) -> h.append("<tr><td>").append(esc(k)).append("</td><td style=\"text-align:left\">")
                .append(esc(v)).append("</td></tr>\n"));
        h.append("</table>\n");
    }

    /** The class a label is most often mistaken for, with the count. */
    private static String confusedWith(long[][] confusion, int label) {
        if (label >= confusion.length) return "";
        int worst = -1;
        for (int p = 0; p < confusion.length; p++) {
            if (p != label && (worst < 0 || confusion[label][p] > confusion[label][worst])) worst = p;
        }
        return worst < 0 || confusion[label][worst] == 0 ? "" : worst + " (" + confusion[label][worst] + ")";
    }

    private static Map<String, Object> flatten(Map<String, Map<String, Object>> groups) {
        Map<String, Object> out = new TreeMap<>();
        groups.forEach((g, m) -> m.forEach((k, v) -> {
            if (v instanceof Map<?, ?> inner) {
                inner.forEach((ik, iv) -> out.put(g + "." + k + "." + ik, iv));
            } else {
                out.put(g + "." + k, v);
            }
        }));
        return out;
    }

    private static Map<String, Object> without(Map<String, Object> m, String key) {
        Map<String, Object> copy = new LinkedHashMap<>(m);
        copy.remove(key);
        return copy;
    }

    private static double[] column(List<Map<String, Object>> rows, String key) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(rows.get(i).get(key));
        return out;
    }

    private static long[][] confusion(Object value) {
        if (value instanceof long[][] m) return m;
        List<?> rows = value instanceof List<?> l ? l : List.of();
        long[][] out = new long[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            List<?> row = (List<?>) rows.get(i);
            out[i] = new long[row.size()];
            for (int j = 0; j < out[i].length; j++) out[i][j] = (long) number(row.get(j));
        }
        return out;
    }

    private static double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String fmt(String pattern, Object v) {
        if (!(v instanceof Number n)) return "n/a";
        if (pattern.contains("d")) return String.format(Locale.ROOT, pattern, n.longValue());
        return Double.isNaN(n.doubleValue()) ? "n/a" : String.format(Locale.ROOT, pattern, n.doubleValue());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v) {
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object v) {
        return v instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    /**
     * Every string from a config, a path or a data file goes through here: as text or inside an attribute
     * (quoted either way), none can open an element or end the attribute.
     */
    static String esc(Object v) {
        String s = String.valueOf(v);
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** The page as UTF-8 bytes. */
    public static byte[] bytes(Map<String, Object> metrics, Map<String, Object> metadata) {
        return html(metrics, metadata).getBytes(StandardCharsets.UTF_8);
    }
}
