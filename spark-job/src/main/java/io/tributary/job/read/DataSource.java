package io.tributary.job.read;

import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One dataset in one format, read where it lies. The driver side lists files and reads headers and
 * schemas only: what the data is ({@link #format}), its fingerprint, and what is known of its shape
 * before Spark starts. The executor side gives the examples as {@link ExampleRows}, computed by
 * executors partition by partition, for training, as held-out data, or for scoring; nothing of them
 * passes through the driver.
 * <p>
 * {@link DataSources#open} resolves a location to its implementation: {@link IdxSource} (IDX
 * directories), {@link TableRows} (Parquet, ORC and CSV files and {@code table:NAME}),
 * {@link ImageFolderRows} (a folder per class); {@link DatasetSource} wraps a {@code Dataset<Row>}
 * handed over in memory (the Spark ML estimator's). A new format is a new implementation and its
 * {@link DataSources.Kind}.
 */
public interface DataSource {
    /** The data as given (a URI, {@code table:NAME}, a dataset's name), for messages and metadata. */
    String location();

    DataFormat format();

    /** What identifies the data read, for metadata.json: from the files' listing, not their content. */
    Map<String, Object> fingerprint();

    /** The shape of an example when it is known without Spark (flags, headers); empty otherwise. */
    Optional<InputShape> knownShape();

    /**
     * What headers declare of the first {@code limit} examples (0: all) before any is read; empty for
     * data that declares nothing (its batches are measured once cached).
     */
    default Optional<Declared> declared(int limit) {
        return Optional.empty();
    }

    /** A count of examples and the bytes they take as batches. */
    record Declared(long examples, long bytes) {
    }

    /**
     * The data's own held-out split (an IDX directory's {@code t10k} files), which training holds out
     * and {@code evaluate} and {@code predict} read by default; empty for data that is one set of
     * examples.
     */
    default Optional<DataSource> testSplit() {
        return Optional.empty();
    }

    /**
     * The first {@code limit} examples (0: all), computed by executors.
     *
     * @param trained the classes to read labels as (held-out data: the training data's, whose names
     *                and indices it takes; a class they lack is refused, naming the file and the
     *                label), or {@code null} for the data's own classes
     * @param skipped counts the bad records left out when the config says {@code on-bad-record: skip}
     * @throws io.tributary.common.InputException for input the driver can see is wrong (a missing
     *         column, listing the available ones; a column of the wrong type; an empty dataset)
     */
    ExampleRows rows(SparkSession spark, int limit, Classes trained, LongAccumulator skipped);

    /**
     * Rows to score ({@link ScoringRows}): as {@link #rows}, but labels may be missing, and
     * {@code keep} names columns passed through to the output (refused by data that has no columns).
     */
    ScoringRows scoring(SparkSession spark, List<String> keep, Classes trained, LongAccumulator skipped);
}
