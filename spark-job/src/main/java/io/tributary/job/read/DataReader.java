package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.CacheLevel;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.data.DataFingerprint;
import io.tributary.common.data.IdxDirectory;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one way data is read, for training, evaluation, retraining and scoring: the format is
 * resolved (detected from the location's content for {@code auto}), its {@link RowSource} gives
 * example rows, and the held-out rows come from the IDX test split, {@code --test-data}, or a seeded
 * split of the data. The driver lists and reads headers and schemas only.
 */
public final class DataReader {
    /** The prefix of a Spark table named as data: {@code table:NAME}. */
    public static final String TABLE_PREFIX = "table:";

    private DataReader() {
    }

    /** A run's data: training and held-out rows, and the fingerprint of what was read. */
    public record Inputs(ExampleRows train, ExampleRows test, Map<String, Object> fingerprint) {
    }

    /**
     * Reads {@code location} for training with {@code config}: the first {@code trainLimit} examples
     * (0: all) to train on, and {@code testLimit} held-out ones.
     */
    public static Inputs training(SparkSession spark, String location, DataConfig config, int trainLimit,
                                  int testLimit, long seed, Configuration hadoopConf, LongAccumulator skipped) {
        DataFormat format = resolve(location, config.format(), hadoopConf);
        Map<String, Object> fingerprint = fingerprint(location, hadoopConf);
        if (format == DataFormat.IDX) {
            IdxDirectory dir = idx(location, hadoopConf);
            requireStorageFor(spark, dir, trainLimit, config.cache());
            Classes classes = config.numClasses() > 0 ? new Classes(config.numClasses(), null)
                    : IdxRows.classes(spark, dir, IdxDirectory.Split.TRAIN, config.limits().maxClasses());
            ExampleRows train = IdxRows.read(spark, dir, IdxDirectory.Split.TRAIN, trainLimit, classes);
            ExampleRows test = config.testData() != null
                    ? heldOut(spark, config.testData(), config, testLimit, classes, hadoopConf, skipped)
                    : idxHeldOut(spark, dir, testLimit, classes);
            return new Inputs(train, requireSameKind(train, test), fingerprint);
        }
        ExampleRows all = source(format).read(spark, location, config.withFormat(format), hadoopConf, skipped, null);
        ExampleRows train;
        ExampleRows test;
        if (config.testData() != null) {
            train = all;
            test = heldOut(spark, config.testData(), config, testLimit, classesOf(all), hadoopConf, skipped);
        } else if (config.testFraction() > 0) {
            // Drawn per example from its content, not per partition as randomSplit draws: the same split
            // whatever partitions Spark cut the files into.
            int values = all.shape().size();
            train = with(all, all.rows().filter(new ExampleIdentity.HeldOut(config.testFraction(), seed, values, false)));
            test = with(all, all.rows().filter(new ExampleIdentity.HeldOut(config.testFraction(), seed, values, true)));
        } else {
            throw new InputException("No held-out data for " + location + ": give --" + TrainKeys.TEST_DATA.name()
                    + " URI or --" + TrainKeys.TEST_FRACTION.name() + " F (only IDX data has its own test split)");
        }
        return new Inputs(limit(train, trainLimit), limit(requireSameKind(train, test), testLimit), fingerprint);
    }

    /**
     * Held-out rows at {@code location}: an IDX directory's test split, or every row of another format
     * ({@code limit} of them; 0: all), labelled as the training data's {@code trained} classes: a held-out
     * class they do not have is refused, naming the file and the label.
     */
    public static ExampleRows heldOut(SparkSession spark, String location, DataConfig config, int limit,
                                      Classes trained, Configuration hadoopConf, LongAccumulator skipped) {
        DataFormat format = resolve(location, config.format(), hadoopConf);
        if (format == DataFormat.IDX) {
            return idxHeldOut(spark, idx(location, hadoopConf), limit, trained);
        }
        return limit(source(format).read(spark, location, config.withFormat(format), hadoopConf, skipped, trained),
                limit);
    }

    /** The classes of training rows, which held-out rows are read as. */
    public static Classes classesOf(ExampleRows train) {
        return new Classes(train.numClasses(), train.classNames());
    }

    private static ExampleRows idxHeldOut(SparkSession spark, IdxDirectory dir, int limit, Classes trained) {
        requireIndices(dir, trained);
        IdxRows.requireKnownLabels(spark, dir, IdxDirectory.Split.TEST, limit, trained);
        return IdxRows.read(spark, dir, IdxDirectory.Split.TEST, limit, trained);
    }

    private static void requireIndices(IdxDirectory dir, Classes trained) {
        if (trained.names() != null) {
            throw new InputException("Held-out data " + dir.location() + " is IDX, whose labels are indices, but the"
                    + " training data's classes are names " + LabelClasses.preview(trained.names()) + "; held-out"
                    + " data must label its examples as the training data does");
        }
    }

    /**
     * Rows to evaluate a model on: an IDX directory's {@code train} or test split, or all rows of
     * another format ({@code trainSplit} must then be false: such data has no splits of its own), read
     * as the model's {@code trained} classes ({@link #heldOut}), or as the data's own when {@code null}.
     */
    public static ExampleRows evaluation(SparkSession spark, String location, DataConfig config, boolean trainSplit,
                                         Classes trained, Configuration hadoopConf, LongAccumulator skipped) {
        DataFormat format = resolve(location, config.format(), hadoopConf);
        if (format == DataFormat.IDX) {
            IdxDirectory.Split split = trainSplit ? IdxDirectory.Split.TRAIN : IdxDirectory.Split.TEST;
            IdxDirectory dir = idx(location, hadoopConf);
            if (trained == null) {
                return IdxRows.read(spark, dir, split, 0, idxClasses(spark, dir, split, config));
            }
            requireIndices(dir, trained);
            IdxRows.requireKnownLabels(spark, dir, split, 0, trained);
            return IdxRows.read(spark, dir, split, 0, trained);
        }
        if (trainSplit) {
            throw new InputException("--split train applies to IDX directories only; " + location + " is "
                    + format.label() + " data, which is evaluated whole");
        }
        return source(format).read(spark, location, config.withFormat(format), hadoopConf, skipped, trained);
    }

    /** An IDX split's classes: {@code --num-classes}, or its largest label plus one. */
    private static Classes idxClasses(SparkSession spark, IdxDirectory dir, IdxDirectory.Split split,
                                      DataConfig config) {
        return config.numClasses() > 0 ? new Classes(config.numClasses(), null)
                : IdxRows.classes(spark, dir, split, config.limits().maxClasses());
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
        DataFormat format = resolve(location, config.format(), hadoopConf);
        if ((format == DataFormat.IDX || format == DataFormat.IMAGES) && !keep.isEmpty()) {
            throw new InputException("--keep-cols " + String.join(",", keep) + " applies to tables and CSV files; "
                    + location + " is " + format.label() + " data, which has no columns"
                    + (format == DataFormat.IDX ? " (its output keeps each example's " + ScoringRows.INDEX + ")" : ""));
        }
        if (format == DataFormat.IDX) {
            IdxDirectory.Split split = trainSplit ? IdxDirectory.Split.TRAIN : IdxDirectory.Split.TEST;
            IdxDirectory dir = idx(location, hadoopConf);
            ExampleRows rows = IdxRows.read(spark, dir, split, 0, idxClasses(spark, dir, split, config), true);
            return new ScoringRows(rows, true, new StructType().add(ScoringRows.INDEX, DataTypes.LongType, false));
        }
        if (trainSplit) {
            throw new InputException("--split train applies to IDX directories only; " + location + " is "
                    + format.label() + " data, which is scored whole");
        }
        if (format == DataFormat.IMAGES) {
            return new ScoringRows(source(format).read(spark, location, config.withFormat(format), hadoopConf, skipped,
                    trained), true, new StructType());
        }
        return new TableRows().scoring(spark, location, config.withFormat(format), hadoopConf, skipped, keep, trained);
    }

    /**
     * The example shape when it is known without Spark: {@code --input-shape}, or an IDX directory's
     * headers; empty otherwise. (The classes are known before Spark only from {@code --num-classes}: the
     * data's are in its labels, which executors read.)
     */
    public static Optional<InputShape> knownShape(String location, DataConfig config, Configuration hadoopConf) {
        if (config.shape() != null) {
            return Optional.of(config.shape());
        }
        if (location.startsWith(TABLE_PREFIX) || (config.format() != DataFormat.AUTO && config.format() != DataFormat.IDX)) {
            return Optional.empty();
        }
        if (resolve(location, config.format(), hadoopConf) != DataFormat.IDX) {
            return Optional.empty();
        }
        IdxDirectory.Header h = idx(location, hadoopConf).header(IdxDirectory.Split.TRAIN);
        return Optional.of(new InputShape(1, h.rows(), h.cols()));
    }

    /** The fingerprint of the data at {@code location}, from its listing ({@link DataFingerprint}). */
    public static Map<String, Object> fingerprint(String location, Configuration hadoopConf) {
        if (location.startsWith(TABLE_PREFIX)) {
            return Map.of("location", location, "sha256", "", "method", "a table: no files to fingerprint");
        }
        return DataFingerprint.of(HadoopFs.resolve("data", location, hadoopConf));
    }

    /** The format of {@code location}: {@code declared}, or for {@code auto} what its content shows. */
    public static DataFormat resolve(String location, DataFormat declared, Configuration hadoopConf) {
        if (location.startsWith(TABLE_PREFIX)) {
            return DataFormat.TABLE;
        }
        if (declared != DataFormat.AUTO) {
            return declared;
        }
        HadoopFs.Location loc = HadoopFs.resolve("data", location, hadoopConf);
        FileStatus[] entries;
        try {
            FileStatus status = loc.fs().getFileStatus(loc.path());
            entries = status.isDirectory() ? loc.fs().listStatus(loc.path()) : new FileStatus[] {status};
        } catch (FileNotFoundException e) {
            throw new InputException("Data " + loc + " does not exist");
        } catch (IOException e) {
            throw new InputException("Cannot read " + loc + ": " + HadoopFs.describe(e));
        }
        boolean subdirectories = false;
        for (FileStatus f : entries) {
            String name = f.getPath().getName().toLowerCase(Locale.ROOT);
            if (name.startsWith("train-images-idx3-ubyte")) return DataFormat.IDX;
            if (name.endsWith(".parquet")) return DataFormat.PARQUET;
            if (name.endsWith(".orc")) return DataFormat.ORC;
            if (name.endsWith(".csv") || name.endsWith(".csv.gz")) return DataFormat.CSV;
            if (f.isDirectory() && !name.startsWith("_") && !name.startsWith(".")) subdirectories = true;
        }
        if (subdirectories) {
            return DataFormat.IMAGES;
        }
        throw new InputException("Cannot tell the format of " + loc + ": it holds no IDX files (train-images-idx3-ubyte"
                + "[.gz]), no Parquet, ORC or CSV files and no class folders; give --" + TrainKeys.FORMAT.name()
                + " idx|parquet|orc|csv|images|table");
    }

    /**
     * With {@code --cache memory}, the training split's batches must fit the executors' storage memory.
     * An IDX header says how many examples there are before any is read, so a claim the cluster cannot
     * hold (a few MB of gzip may claim gigabytes) is refused up front rather than discovered after a
     * full pass; other formats are checked once their batches are cached ({@code DistributedData}).
     */
    private static void requireStorageFor(SparkSession spark, IdxDirectory dir, int limit, CacheLevel cache) {
        if (cache != CacheLevel.MEMORY) {
            return;
        }
        IdxDirectory.Header h = dir.header(IdxDirectory.Split.TRAIN);
        long n = limit > 0 ? Math.min(limit, h.count()) : h.count();
        long bytes = n * ((long) h.rows() * h.cols() + Integer.BYTES);
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
                    + " with --%s N", dir.location(), n, bytes >> 20, storage >> 20, TrainKeys.CACHE.name(),
                    TrainKeys.CACHE.name(), TrainKeys.TRAIN_EXAMPLES.name()));
        }
    }

    private static RowSource source(DataFormat format) {
        return switch (format) {
            case PARQUET, ORC, CSV, TABLE -> new TableRows();
            case IMAGES -> new ImageFolderRows();
            case IDX, AUTO -> throw new IllegalArgumentException("no row source for " + format);
        };
    }

    private static IdxDirectory idx(String location, Configuration hadoopConf) {
        return new IdxDirectory(HadoopFs.resolve("data", location, hadoopConf));
    }

    private static ExampleRows with(ExampleRows like, Dataset<Row> rows) {
        return new ExampleRows(rows, like.shape(), like.numClasses(), like.classNames(), like.byteFeatures(),
                like.source());
    }

    private static ExampleRows limit(ExampleRows rows, int limit) {
        return limit > 0 ? with(rows, ExampleIdentity.first(rows, limit)) : rows;
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
