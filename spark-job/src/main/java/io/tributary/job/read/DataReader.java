package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.CacheLevel;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainKeys;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What training, evaluation, retraining and scoring read, whatever the format ({@link DataSource}):
 * the training rows and the held-out rows, from the data's own test split (IDX), {@code --test-data},
 * or a seeded split of the data; the rows a model is evaluated on; the rows it scores. The driver
 * lists and reads headers and schemas only.
 */
public final class DataReader {
    private DataReader() {
    }

    /** A run's data: training and held-out rows, and the fingerprint of what was read. */
    public record Inputs(ExampleRows train, ExampleRows test, Map<String, Object> fingerprint) {
    }

    /**
     * Reads {@code source} for training with {@code config}: the first {@code trainLimit} examples (0:
     * all) to train on, and {@code testLimit} held-out ones, read as the training rows' classes.
     */
    public static Inputs training(SparkSession spark, DataSource source, DataConfig config, int trainLimit,
                                  int testLimit, long seed, Configuration hadoopConf, LongAccumulator skipped) {
        requireStorageFor(spark, source, trainLimit, config.cache());
        Map<String, Object> fingerprint = source.fingerprint();
        Optional<DataSource> ownTest = source.testSplit();
        if (config.testData() != null || ownTest.isPresent()) {
            ExampleRows train = source.rows(spark, trainLimit, null, skipped);
            DataSource heldOut = config.testData() != null
                    ? heldOutOf(DataSources.open(config.testData(), config, hadoopConf)) : ownTest.get();
            return new Inputs(train, requireSameKind(train, heldOut.rows(spark, testLimit, train.classes(), skipped)),
                    fingerprint);
        }
        if (config.testFraction() <= 0) {
            throw new InputException("No held-out data for " + source.location() + ": give --"
                    + TrainKeys.TEST_DATA.name() + " URI or --" + TrainKeys.TEST_FRACTION.name()
                    + " F (only IDX data has its own test split)");
        }
        // Drawn per example from its content, not per partition as randomSplit draws: the same split
        // whatever partitions Spark cut the files into.
        ExampleRows all = source.rows(spark, 0, null, skipped);
        int values = all.shape().size();
        ExampleRows train = all.withRows(all.rows().filter(
                new ExampleIdentity.HeldOut(config.testFraction(), seed, values, false)));
        ExampleRows test = all.withRows(all.rows().filter(
                new ExampleIdentity.HeldOut(config.testFraction(), seed, values, true)));
        return new Inputs(train.first(trainLimit), test.first(testLimit), fingerprint);
    }

    /**
     * Held-out rows at {@code location}: an IDX directory's test split, or every row of another format
     * ({@code limit} of them; 0: all), labelled as the training data's {@code trained} classes: a held-out
     * class they do not have is refused, naming the file and the label.
     */
    public static ExampleRows heldOut(SparkSession spark, String location, DataConfig config, int limit,
                                      Classes trained, Configuration hadoopConf, LongAccumulator skipped) {
        return heldOutOf(DataSources.open(location, config, hadoopConf)).rows(spark, limit, trained, skipped);
    }

    /** The held-out part of data given as held-out: its own test split where it has one, else all of it. */
    private static DataSource heldOutOf(DataSource source) {
        return source.testSplit().orElse(source);
    }

    /**
     * Rows to evaluate a model on: an IDX directory's {@code train} or test split, or all rows of
     * another format ({@code trainSplit} must then be false: such data has no splits of its own), read
     * as the model's {@code trained} classes ({@link #heldOut}), or as the data's own when {@code null}.
     */
    public static ExampleRows evaluation(SparkSession spark, String location, DataConfig config, boolean trainSplit,
                                         Classes trained, Configuration hadoopConf, LongAccumulator skipped) {
        return split(DataSources.open(location, config, hadoopConf), trainSplit, "evaluated")
                .rows(spark, 0, trained, skipped);
    }

    /**
     * Rows to score ({@link ScoringRows}): as {@link #evaluation}, but a table or CSV file may lack the
     * label column, and {@code keep} names columns passed through to the output; an IDX example keeps
     * its index instead, and an image folder keeps nothing (both refuse {@code keep}). Labels named by
     * class are read as the model's {@code trained} classes when it has names ({@code null}: the data's).
     */
    public static ScoringRows scoring(SparkSession spark, String location, DataConfig config, boolean trainSplit,
                                      List<String> keep, Classes trained, Configuration hadoopConf,
                                      LongAccumulator skipped) {
        return split(DataSources.open(location, config, hadoopConf), trainSplit, "scored")
                .scoring(spark, keep, trained, skipped);
    }

    /** The split {@code --split} names: data with a test split of its own is read there unless {@code train}. */
    private static DataSource split(DataSource source, boolean trainSplit, String verb) {
        Optional<DataSource> test = source.testSplit();
        if (test.isPresent()) {
            return trainSplit ? source : test.get();
        }
        if (trainSplit) {
            throw new InputException("--split train applies to IDX directories only; " + source.location() + " is "
                    + source.format().label() + " data, which is " + verb + " whole");
        }
        return source;
    }

    /**
     * The example shape when it is known without Spark: {@code --input-shape}, or an IDX directory's
     * headers; empty otherwise. (The classes are known before Spark only from {@code --num-classes}: the
     * data's are in its labels, which executors read.)
     */
    public static Optional<InputShape> knownShape(String location, DataConfig config, Configuration hadoopConf) {
        return DataSources.open(location, config, hadoopConf).knownShape();
    }

    /**
     * With {@code --cache memory}, the training examples' batches must fit the executors' storage memory.
     * Where headers say how many examples there are before any is read (IDX), a claim the cluster cannot
     * hold (a few MB of gzip may claim gigabytes) is refused up front rather than discovered after a
     * full pass; other formats are checked once their batches are cached ({@code DistributedData}).
     */
    private static void requireStorageFor(SparkSession spark, DataSource source, int limit, CacheLevel cache) {
        if (cache != CacheLevel.MEMORY) {
            return;
        }
        Optional<DataSource.Declared> declared = source.declared(limit);
        if (declared.isEmpty()) {
            return;
        }
        long n = declared.get().examples();
        long bytes = declared.get().bytes();
        long storage = 0;
        boolean local = spark.sparkContext().isLocal();
        var status = SparkEnv.get().blockManager().master().getMemoryStatus();
        for (var it = status.iterator(); it.hasNext(); ) {
            var entry = it.next();
            if (local || !"driver".equals(entry._1().executorId())) {
                storage += (Long) entry._2()._2();   // the block manager's free storage memory
            }
        }
        if (bytes > storage) {
            throw new InputException(String.format(Locale.ROOT, "The training data %s: its headers claim"
                    + " %d examples (%,d MiB as batches), more than the executors' free storage memory (%,d MiB) with"
                    + " --%s memory; use --%s memory-and-disk or disk, give the executors more memory, or read fewer"
                    + " with --%s N", source.location(), n, bytes >> 20, storage >> 20, TrainKeys.CACHE.name(),
                    TrainKeys.CACHE.name(), TrainKeys.TRAIN_EXAMPLES.name()));
        }
    }

    /** Held-out rows must have the training rows' shape and feature type (their classes are the training rows'). */
    private static ExampleRows requireSameKind(ExampleRows train, ExampleRows test) {
        InputShape a = train.shape();
        InputShape b = test.shape();
        if (!a.equals(b) || train.byteFeatures() != test.byteFeatures()) {
            throw new InputException("Held-out data " + test.source() + " has examples of shape " + b + " ("
                    + (test.byteFeatures() ? "bytes" : "floats") + ") but " + train.source() + " has " + a + " ("
                    + (train.byteFeatures() ? "bytes" : "floats") + "); both must have the same shape");
        }
        return test;
    }
}
