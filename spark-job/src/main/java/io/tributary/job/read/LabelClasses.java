package io.tributary.job.read;

import io.tributary.common.InputException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;

/**
 * On the driver: how labels become class indices and how many classes there are, from the label
 * column alone. Integer labels need a distributed maximum only when {@code --num-classes} is not
 * given; names need their distinct values, a result of one string per class.
 *
 * @param classNames the sorted class names for {@link LabelKind#NAMES}, else {@code null}
 */
record LabelClasses(LabelKind kind, int numClasses, List<String> classNames) {
    /** More distinct names than this are not a classifier's classes (and would not fit a result). */
    static final int MAX_NAMES = 100_000;
    /** The largest number of classes (the num-classes key's limit). */
    static final int MAX_CLASSES = 1_000_000;
    /** The name of the only column of the label datasets given to this class. */
    static final String VALUE = "value";
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** Integer labels in column {@value #VALUE} of {@code labels}; {@code column} is their name in the source. */
    static LabelClasses integral(Dataset<Row> labels, String column, String source, int configured) {
        if (configured > 0) {
            if (labels.isEmpty()) throw empty(source);
            return new LabelClasses(LabelKind.INTEGRAL, configured, null);
        }
        // NaN (in a double column) sorts above every number; such a label is a bad record, not the largest class.
        Object largest = labels.where(not(isnan(col(VALUE).cast("double")))).agg(max(col(VALUE))).first().get(0);
        if (largest == null) throw noLabels(column, source);
        return new LabelClasses(LabelKind.INTEGRAL, classesUpTo(((Number) largest).longValue(), column, source), null);
    }

    /** Class names in column {@value #VALUE} (strings) of {@code labels}. */
    static LabelClasses names(Dataset<Row> labels, String column, String source, int configured) {
        List<String> names = distinct(labels, column, source);
        return named(names, column, source, configured);
    }

    /**
     * CSV labels, which are text: class indices when every distinct value is a number (then a
     * non-integer among them is a bad record), else class names.
     */
    static LabelClasses csv(Dataset<Row> labels, String column, String source, int configured) {
        List<String> values = distinct(labels, column, source);
        if (!values.stream().allMatch(v -> NUMBER.matcher(v).matches())) return named(values, column, source, configured);
        if (configured > 0) return new LabelClasses(LabelKind.NUMBER_TEXT, configured, null);
        double largest = values.stream().mapToDouble(Double::parseDouble).max().orElseThrow();
        return new LabelClasses(LabelKind.NUMBER_TEXT, classesUpTo((long) Math.floor(largest), column, source), null);
    }

    private static LabelClasses named(List<String> names, String column, String source, int configured) {
        if (configured > 0 && names.size() > configured) {
            throw new InputException("Column " + column + " of " + source + " holds " + names.size()
                    + " class names " + preview(names) + ", more than --num-classes " + configured);
        }
        return new LabelClasses(LabelKind.NAMES, configured > 0 ? configured : names.size(), names);
    }

    private static List<String> distinct(Dataset<Row> labels, String column, String source) {
        List<Row> rows = labels.where(col(VALUE).isNotNull().and(col(VALUE).notEqual(""))).distinct()
                .limit(MAX_NAMES + 1).collectAsList();
        if (rows.isEmpty()) throw noLabels(column, source);
        if (rows.size() > MAX_NAMES) {
            throw new InputException("Column " + column + " of " + source + " holds more than " + MAX_NAMES
                    + " distinct labels; labels are class names or indices 0..K-1 (is it the label column? see --label-col)");
        }
        List<String> names = new ArrayList<>(rows.size());
        for (Row r : rows) names.add(r.getString(0));
        Collections.sort(names);
        return List.copyOf(names);
    }

    private static int classesUpTo(long largest, String column, String source) {
        if (largest < 0 || largest >= MAX_CLASSES) {
            throw new InputException("The largest label in column " + column + " of " + source + " is " + largest
                    + "; labels must be class indices 0..K-1 with K at most " + MAX_CLASSES);
        }
        return (int) largest + 1;
    }

    static InputException empty(String source) {
        return new InputException(source + " holds no examples; training needs at least one row");
    }

    private static InputException noLabels(String column, String source) {
        return new InputException(source + " holds no rows with a label in column " + column
                + "; training needs at least one labelled row");
    }

    /** Up to five names, for messages. */
    static String preview(List<String> names) {
        return names.size() <= 5 ? names.toString()
                : names.subList(0, 5).toString().replace("]", ", ... (" + names.size() + " in all)]");
    }
}
