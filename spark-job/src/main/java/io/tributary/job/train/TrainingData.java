package io.tributary.job.train;

import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.store.ModelSource;
import io.tributary.job.read.DataReader;
import io.tributary.job.read.DataSource;
import io.tributary.job.read.ExampleRows;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

import java.util.List;
import java.util.Map;

/**
 * A run's data as the driver knows it: the training and held-out example rows (computed by
 * executors), whose shape and classes the network is built for, and the fingerprint recorded in
 * metadata.json.
 *
 * @param skipped the bad records left out so far ({@code on-bad-record: skip})
 */
public record TrainingData(ExampleRows train, ExampleRows test, Map<String, Object> fingerprint,
                           LongAccumulator skipped) {

    /** One example's shape (C,H,W). */
    public InputShape shape() {
        return train.shape();
    }

    /** The classes the network predicts. */
    public int numClasses() {
        return train.numClasses();
    }

    /** The class of each label index when the labels were names, else {@code null}. */
    public List<String> classNames() {
        return train.classNames();
    }

    /**
     * Checks {@code model} against what the driver knows of the data before Spark starts: the shape
     * from {@code --input-shape} or IDX headers, and the classes when {@code --num-classes} gives them
     * (the data's own are in its labels, which executors read).
     */
    public static void checkKnown(ModelSource model, DataSource data, TrainConfig config) {
        int classes = config.input().numClasses();
        data.knownShape().ifPresent(shape -> {
            if (classes > 0) {
                model.network(shape, classes);
            } else {
                model.requireTakes(shape);
            }
        });
    }

    /** Reads {@code data} (limited to {@code config}'s train/test example counts); nothing is read on the driver. */
    public static TrainingData read(SparkSession spark, DataSource data, TrainConfig config, Configuration hadoopConf) {
        LongAccumulator skipped = spark.sparkContext().longAccumulator("tributary.skipped-records");
        DataReader.Inputs in = DataReader.training(spark, data, config.input(), config.trainExamples(),
                config.testExamples(), config.seed(), hadoopConf, skipped);
        return new TrainingData(in.train(), in.test(), in.fingerprint(), skipped);
    }
}
