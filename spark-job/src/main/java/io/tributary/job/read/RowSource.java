package io.tributary.job.read;

import io.tributary.common.config.DataConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/** Reads one format into {@link ExampleRows}: the driver lists files and reads schemas, executors read rows. */
public interface RowSource {
    /**
     * @param location the dataset (a directory or file URI, or {@code table:NAME})
     * @param skipped  counts the bad records left out when the config says {@code on-bad-record: skip}
     * @param trained  for held-out data, the training data's classes, which its labels are read as (a
     *                 class they do not have is refused); {@code null} for training data
     * @throws io.tributary.common.InputException for input the driver can see is wrong (a missing
     *         column, listing the available ones; a column of the wrong type; an empty dataset)
     */
    ExampleRows read(SparkSession spark, String location, DataConfig config, Configuration hadoopConf,
                     LongAccumulator skipped, Classes trained);
}
