package io.tributary.job.read;

import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code Dataset<Row>} handed over in memory (what a Spark ML estimator or model is given), read as
 * a table ({@link TableRows}): its columns are the features and label the read settings name. The
 * dataset's plan is what executors compute; nothing is collected.
 */
public final class DatasetSource implements DataSource {
    private final Dataset<Row> data;
    private final String name;
    private final DataConfig config;

    /**
     * @param name what messages and metadata call the dataset (a stage's uid)
     */
    public DatasetSource(Dataset<Row> data, String name, DataConfig config) {
        this.data = data;
        this.name = name;
        this.config = config.withFormat(DataFormat.TABLE);
    }

    @Override
    public String location() {
        return name;
    }

    @Override
    public DataFormat format() {
        return DataFormat.TABLE;
    }

    /** A dataset in memory has no files to fingerprint. */
    @Override
    public Map<String, Object> fingerprint() {
        return Map.of("location", name, "sha256", "", "method", "a dataset in memory: no files to fingerprint");
    }

    @Override
    public Optional<InputShape> knownShape() {
        return Optional.ofNullable(config.shape());
    }

    @Override
    public ExampleRows rows(SparkSession spark, int limit, Classes trained, LongAccumulator skipped) {
        return TableRows.fromTable(data, name, config, skipped, null, trained).examples().first(limit);
    }

    @Override
    public ScoringRows scoring(SparkSession spark, List<String> keep, Classes trained, LongAccumulator skipped) {
        return TableRows.fromTable(data, name, config, skipped, List.copyOf(keep), trained);
    }
}
