package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.LabelType;
import io.tributary.common.config.TrainKeys;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

/**
 * On the driver: how labels become class indices and how many classes there are, from the label
 * column alone. Integer labels need a distributed maximum only when {@code --num-classes} is not
 * given; text labels need their distinct values, a result of one string per class. The class count
 * is held to {@code max-classes} before anything is sized by it.
 *
 * @param classNames the sorted class names for {@link LabelKind#NAMES}, else {@code null}
 */
record LabelClasses(LabelKind kind, int numClasses, List<String> classNames) {
    /** The name of the label column of the datasets given to this class. */
    static final String VALUE = "value";
    /** The column naming each label's file ({@code ""} where the data is not in files). */
    static final String FILE = "file";
    /** The column holding each label's line in its file, or {@code null} where lines are not known. */
    static final String LINE = "line";
    /** What a label written as a number looks like (Java's {@code Pattern}, Spark's {@code rlike} alike). */
    static final String NUMBER = "^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$";
    private static final Pattern NUMBER_PATTERN = Pattern.compile(NUMBER);

    /** The labels of one column, as the driver reads them. */
    record Labels(Dataset<Row> values, String column, String source, int configured, int maxClasses) {
    }

    /** Integer labels in column {@value #VALUE} of {@code labels}. */
    static LabelClasses integral(Labels labels) {
        if (labels.configured() > 0) {
            if (labels.values().isEmpty()) throw empty(labels.source());
            return new LabelClasses(LabelKind.INTEGRAL, labels.configured(), null);
        }
        // NaN (in a double column) sorts above every number; such a label is a bad record, not the largest class.
        Dataset<Row> values = labels.values();
        Object largest = values.where(not(isnan(col(VALUE).cast("double")))).agg(max(col(VALUE))).first().get(0);
        if (largest == null) throw noLabels(labels);
        return new LabelClasses(LabelKind.INTEGRAL, classesUpTo(((Number) largest).longValue(), labels), null);
    }

    /**
     * Text labels (CSV fields, string columns) in column {@value #VALUE}: class indices or class names
     * as {@code type} says; for {@link LabelType#AUTO} indices when every distinct value is a number,
     * names when none is, and a mix is refused, naming the first label of each kind and where it is.
     */
    static LabelClasses text(Labels labels, LabelType type) {
        if (type == LabelType.INDEX && labels.configured() > 0) {
            if (labels.values().isEmpty()) throw empty(labels.source());
            return new LabelClasses(LabelKind.NUMBER_TEXT, labels.configured(), null);
        }
        if (type == LabelType.INDEX) {
            // Words are bad records on the executors, not classes: the largest number decides.
            Object largest = labels.values().where(col(VALUE).rlike(NUMBER)).agg(max(col(VALUE).cast("double")))
                    .first().get(0);
            if (largest == null) throw noLabels(labels);
            return new LabelClasses(LabelKind.NUMBER_TEXT, classesUpTo((long) Math.floor((Double) largest), labels),
                    null);
        }
        List<String> values = distinct(labels);
        long numbers = values.stream().filter(v -> NUMBER_PATTERN.matcher(v).matches()).count();
        if (type == LabelType.NAME || numbers == 0) return named(values, labels);
        if (numbers < values.size()) throw mixed(labels);
        if (labels.configured() > 0) return new LabelClasses(LabelKind.NUMBER_TEXT, labels.configured(), null);
        double largest = values.stream().mapToDouble(Double::parseDouble).max().orElseThrow();
        return new LabelClasses(LabelKind.NUMBER_TEXT, classesUpTo((long) Math.floor(largest), labels), null);
    }

    /**
     * Held-out labels read as the training data's {@code trained} classes: names when the training
     * labels were names and these are text, else indices of {@code kind}. A label that is not one of
     * them (a name the training data lacks, an index past its classes) is refused, naming the first one
     * and where it is; labels that break the format's rules (a word where indices are read) are left to
     * the executors.
     */
    static LabelClasses heldOut(Labels labels, LabelKind kind, Classes trained) {
        if (labels.values().isEmpty()) throw empty(labels.source());
        boolean byName = trained.names() != null && kind != LabelKind.INTEGRAL;
        Column nonEmpty = col(VALUE).isNotNull().and(col(VALUE).notEqual(""));
        Column number = kind == LabelKind.INTEGRAL ? not(isnan(col(VALUE).cast("double")))
                : col(VALUE).cast("string").rlike(NUMBER);
        Column unseen = byName ? nonEmpty.and(not(col(VALUE).isin(trained.names().toArray())))
                : col(VALUE).isNotNull().and(number).and(col(VALUE).cast("double").geq(trained.count()));
        Row first = labels.values().where(unseen).agg(min(struct(col(FILE), col(LINE),
                col(VALUE).cast("string")))).first();
        if (!first.isNullAt(0)) {
            throw new InputException("Held-out data " + labels.source() + ": label " + where(first.getStruct(0))
                    + " in column " + labels.column() + " is a class the model has never seen; " + trained.rule());
        }
        return new LabelClasses(byName ? LabelKind.NAMES : kind, trained.count(), trained.names());
    }

    private static LabelClasses named(List<String> names, Labels labels) {
        int configured = labels.configured();
        if (configured > 0 && names.size() > configured) {
            throw new InputException("Column " + labels.column() + " of " + labels.source() + " holds " + names.size()
                    + " class names " + preview(names) + ", more than --num-classes " + configured);
        }
        return new LabelClasses(LabelKind.NAMES, configured > 0 ? configured : names.size(), names);
    }

    /** The distinct non-empty labels, sorted; more than {@code max-classes} of them is refused without collecting the rest. */
    private static List<String> distinct(Labels labels) {
        int fetch = labels.maxClasses() + 1;
        List<Row> rows = labels.values().where(col(VALUE).isNotNull().and(col(VALUE).notEqual(""))).select(VALUE)
                .distinct().limit(fetch).collectAsList();
        if (rows.isEmpty()) throw noLabels(labels);
        if (rows.size() >= fetch) {
            throw new InputException(String.format(Locale.ROOT, "Column %s of %s holds more than %,d distinct labels,"
                    + " more classes than %s %d; labels are class names or indices 0..K-1 (is it the label column?"
                    + " see --%s), or raise %s", labels.column(), labels.source(), labels.maxClasses(),
                    TrainKeys.MAX_CLASSES.name(), labels.maxClasses(), TrainKeys.LABEL_COL.name(),
                    TrainKeys.MAX_CLASSES.name()));
        }
        List<String> names = new ArrayList<>(rows.size());
        for (Row r : rows) names.add(r.getString(0));
        Collections.sort(names);
        return List.copyOf(names);
    }

    /** A mix of numbers and words: the first of each (by file, then line), so the user can see which is the stray. */
    private static InputException mixed(Labels labels) {
        Column isNumber = col(VALUE).rlike(NUMBER);
        Column nonEmpty = col(VALUE).isNotNull().and(col(VALUE).notEqual(""));
        Column position = struct(col(FILE), col(LINE), col(VALUE));
        Row first = labels.values().agg(
                min(when(nonEmpty.and(isNumber), position)), min(when(nonEmpty.and(not(isNumber)), position))).first();
        return new InputException("Column " + labels.column() + " of " + labels.source() + " mixes class indices and"
                + " class names: " + where(first.getStruct(0)) + " is a number but " + where(first.getStruct(1))
                + " is not; give --" + TrainKeys.LABEL_TYPE.name() + " index (a label that is not an integer is then a"
                + " bad record) or --" + TrainKeys.LABEL_TYPE.name() + " name (every label, numbers too, a class name"
                + " sorted as text)");
    }

    private static String where(Row label) {
        String file = label.getString(0);
        String at = file == null || file.isEmpty() ? "" : " (" + file + (label.isNullAt(1) ? "" : " line " + label.get(1)) + ")";
        return "\"" + label.getString(2) + "\"" + at;
    }

    private static int classesUpTo(long largest, Labels labels) {
        if (largest < 0) {
            throw new InputException("The largest label in column " + labels.column() + " of " + labels.source()
                    + " is " + largest + "; labels must be class indices 0..K-1");
        }
        if (largest >= labels.maxClasses()) {
            throw new InputException(String.format(Locale.ROOT, "The largest label in column %s of %s is %d, which"
                    + " makes %,d classes, more than %s %d; labels must be class indices 0..K-1 (raise %s if the data"
                    + " really has that many classes)", labels.column(), labels.source(), largest, largest + 1,
                    TrainKeys.MAX_CLASSES.name(), labels.maxClasses(), TrainKeys.MAX_CLASSES.name()));
        }
        return (int) largest + 1;
    }

    static InputException empty(String source) {
        return new InputException(source + " holds no examples; training needs at least one row");
    }

    private static InputException noLabels(Labels labels) {
        return new InputException(labels.source() + " holds no rows with a label in column " + labels.column()
                + "; training needs at least one labelled row");
    }

    /** Up to five names, for messages. */
    static String preview(List<String> names) {
        return names.size() <= 5 ? names.toString()
                : names.subList(0, 5).toString().replace("]", ", ... (" + names.size() + " in all)]");
    }
}
