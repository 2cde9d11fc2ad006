package io.tributary.common.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Accuracy, per-class precision, recall and F1, and the confusion matrix of a classifier on labelled data. */
public record ClassificationReport(long examples, double accuracy, List<ClassMetrics> perClass, long[][] confusion) {

    /** Metrics of one class; {@code support} is how many examples truly belong to it. */
    public record ClassMetrics(int label, double precision, double recall, double f1, long support) {
    }

    /** The report of a confusion matrix (rows: actual class, columns: predicted class). */
    public static ClassificationReport of(long[][] confusion) {
        int numClasses = confusion.length;
        long total = 0;
        for (long[] row : confusion) {
            for (long n : row) total += n;
        }
        List<ClassMetrics> classes = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            long support = 0;
            long predicted = 0;
            for (int k = 0; k < numClasses; k++) {
                support += confusion[c][k];
                predicted += confusion[k][c];
            }
            long tp = confusion[c][c];
            double precision = predicted == 0 ? 0.0 : (double) tp / predicted;
            double recall = support == 0 ? 0.0 : (double) tp / support;
            double f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
            classes.add(new ClassMetrics(c, precision, recall, f1, support));
        }
        long correct = 0;
        for (int c = 0; c < numClasses; c++) {
            correct += confusion[c][c];
        }
        double accuracy = total == 0 ? 0.0 : (double) correct / total;
        return new ClassificationReport(total, accuracy, classes, confusion);
    }

    /** The unweighted mean of the classes' F1 scores. */
    public double macroF1() {
        return perClass.stream().mapToDouble(ClassMetrics::f1).average().orElse(0.0);
    }

    /** The report as JSON-ready maps: {@code accuracy}, {@code per_class}, {@code confusion_matrix} (rows: actual). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", examples);
        m.put("accuracy", accuracy);
        m.put("macro_f1", macroF1());
        List<Map<String, Object>> classes = new ArrayList<>();
        for (ClassMetrics c : perClass) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("label", c.label());
            cm.put("precision", c.precision());
            cm.put("recall", c.recall());
            cm.put("f1", c.f1());
            cm.put("support", c.support());
            classes.add(cm);
        }
        m.put("per_class", classes);
        m.put("confusion_matrix", confusion);
        return m;
    }
}
