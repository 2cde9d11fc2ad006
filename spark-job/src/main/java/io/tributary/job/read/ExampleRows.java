package io.tributary.job.read;

import io.tributary.common.config.InputShape;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.collection.Seq;

import java.util.List;

/**
 * A dataset as rows of one example each: the form every format is brought to before it is cut into
 * batches. The driver knows only the schema and these facts; executors compute the rows.
 * <ul>
 *   <li>{@value #FEATURES}: {@code binary} of {@code shape.size()} unsigned bytes when
 *       {@code byteFeatures}, else {@code array<float>} of {@code shape.size()} values, channel-major
 *       (C, then H, then W);</li>
 *   <li>{@value #LABEL}: {@code int} in {@code 0..numClasses-1}.</li>
 * </ul>
 * Rows that break a rule either failed the job (an {@link io.tributary.common.InputException} thrown on
 * the executor, naming the file, the column or line, the value and the rule) or were dropped and
 * counted, as the data config's {@code on-bad-record} says.
 *
 * @param classNames   the class of each label index when the labels were names (strings, image
 *                     folders), else {@code null}
 * @param source       the location read, for messages and metadata
 */
public record ExampleRows(Dataset<Row> rows, InputShape shape, int numClasses, List<String> classNames,
                          boolean byteFeatures, String source) {
    public static final String FEATURES = "features";
    public static final String LABEL = "label";

    /** These facts with other rows (a filter of these). */
    public ExampleRows withRows(Dataset<Row> other) {
        return new ExampleRows(other, shape, numClasses, classNames, byteFeatures, source);
    }

    /** The first {@code limit} examples ({@link ExampleIdentity#first}), or all when {@code limit} is 0. */
    public ExampleRows first(int limit) {
        return limit > 0 ? withRows(ExampleIdentity.first(this, limit)) : this;
    }

    /** The classes of these rows, which held-out rows are read as when these are the training rows. */
    public Classes classes() {
        return new Classes(numClasses, classNames);
    }

    /**
     * Copies a row's float features ({@value #FEATURES} of a non-byte row) into {@code into} at
     * {@code offset}. The value is the reader's own {@code float[]} when Spark's optimizer dropped
     * the encoding between two {@code mapPartitions}, else the decoded array.
     */
    public static void copyFloats(Object features, float[] into, int offset, int size) {
        if (features instanceof float[] values) {
            System.arraycopy(values, 0, into, offset, size);
        } else {
            Seq<?> values = (Seq<?>) features;
            for (int j = 0; j < size; j++) into[offset + j] = (Float) values.apply(j);
        }
    }
}
