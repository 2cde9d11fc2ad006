package io.tributary.common.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy, per-class precision, recall and F1, and the confusion matrix of a classifier on labelled
 * data. Computed from the matrix's non-zero cells, so its cost grows with the classes, not their square.
 */
public record ClassificationReport(long examples, double accuracy, List<ClassMetrics> perClass, Confusion confusion) {

    /** Metrics of one class; {@code support} is how many examples truly belong to it. */
    public record ClassMetrics(int label, double precision, double recall, double f1, long support) {
    }

    /** The report of a whole confusion matrix (rows: actual class, columns: predicted class). */
    public static ClassificationReport of(long[][] confusion) {
        return of(Confusion.of(confusion));
    }

    /** The report of a confusion matrix. */
    public static ClassificationReport of(Confusion confusion) {
        int numClasses = confusion.numClasses();
        long[] support = new long[numClasses];
        long[] predicted = new long[numClasses];
        long[] correct = new long[numClasses];
        long total = 0;
        for (long[] cell : confusion.cells()) {
            int a = (int) cell[0];
            int p = (int) cell[1];
            support[a] += cell[2];
            predicted[p] += cell[2];
            if (a == p) correct[a] += cell[2];
            total += cell[2];
        }
        List<ClassMetrics> classes = new ArrayList<>();
        long right = 0;
        for (int c = 0; c < numClasses; c++) {
            double precision = predicted[c] == 0 ? 0.0 : (double) correct[c] / predicted[c];
            double recall = support[c] == 0 ? 0.0 : (double) correct[c] / support[c];
            double f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
            classes.add(new ClassMetrics(c, precision, recall, f1, support[c]));
            right += correct[c];
        }
        double accuracy = total == 0 ? 0.0 : (double) right / total;
        return new ClassificationReport(total, accuracy, classes, confusion);
    }

    /** The unweighted mean of the classes' F1 scores. */
    public double macroF1() {
        return perClass.stream().mapToDouble(ClassMetrics::f1).average().orElse(0.0);
    }

    /**
     * The report as JSON-ready maps: {@code accuracy}, {@code per_class}, and the confusion matrix as
     * {@code confusion_matrix} (rows: actual) for up to {@value Confusion#DENSE_CLASSES} classes, else
     * as its non-zero cells {@code confusion_cells}, each {@code [actual, predicted, count]}.
     */
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
        putConfusion(m, confusion);
        return m;
    }

    /** Puts {@code confusion} into {@code m} as {@code confusion_matrix} or, for many classes, {@code confusion_cells}. */
    public static void putConfusion(Map<String, Object> m, Confusion confusion) {
        if (confusion.isSmall()) {
            m.put("confusion_matrix", confusion.dense());
        } else {
            m.put("confusion_cells", confusion.cells());
        }
    }
}
