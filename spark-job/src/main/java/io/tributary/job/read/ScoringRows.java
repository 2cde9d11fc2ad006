package io.tributary.job.read;

import org.apache.spark.sql.types.StructType;

/**
 * Rows to score: {@link ExampleRows} whose rows are {@code (features, label, kept...)}, where the
 * label is {@code null} when the data has no label column, and the kept columns (a table's or CSV
 * file's {@code --keep-cols}, an IDX example's {@value #INDEX}) identify each example in the output.
 *
 * @param labelled whether every row has a label (then predictions can be scored against them)
 * @param kept     the schema of the columns after the label
 */
public record ScoringRows(ExampleRows examples, boolean labelled, StructType kept) {
    /** The column that identifies an IDX example: its position in the file, from 0. */
    public static final String INDEX = "index";
}
