package io.tributary.job.read;

import io.tributary.common.config.BadRecordPolicy;
import io.tributary.common.config.InputShape;

import java.io.Serializable;
import java.util.List;

/**
 * What the driver learnt from a table's schema (or a CSV header) and its labels, shipped to the
 * executors that turn its rows into examples.
 *
 * @param featuresName the features column (for CSV columns: the label column's complement)
 * @param shapeGiven   whether the shape came from {@code --input-shape} (else from the data)
 * @param classNames   the sorted class names when {@code labels} is {@link LabelKind#NAMES}, else {@code null}
 * @param source       the location read, named in messages when a row's file is unknown
 * @param header       a CSV file's column names, else {@code null}
 * @param labelIndex   the label's field in a CSV row, else -1
 * @param featuresIndex the delimited features' field in a CSV row, else -1
 * @param labelled     whether rows have a label: always for training; for scoring, when the label
 *                     column is present (else the example's label is {@code null})
 * @param kept         the source fields passed through unchanged after the label, for scoring: a CSV
 *                     row's field indices, or a table row's column positions; empty for training
 */
record RowPlan(FeatureKind features, String featuresName, LabelKind labels, String labelName, InputShape shape,
               boolean shapeGiven, int numClasses, List<String> classNames, BadRecordPolicy policy, String source,
               List<String> header, int labelIndex, int featuresIndex, boolean labelled,
               List<Integer> kept) implements Serializable {
    /** The rule labels follow, for messages. */
    String labelRule() {
        return "labels must be 0.." + (numClasses - 1) + " (" + numClasses + " classes)";
    }
}
