package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import io.tributary.common.data.DataFingerprint;
import io.tributary.common.data.IdxDirectory;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One split of an IDX directory ({@code train-}/{@code t10k-} images and labels, optionally gzipped):
 * the training split, whose {@link #testSplit} is the {@code t10k} files. The driver reads the
 * files' headers; tasks read the examples ({@link IdxRows}), and the classes (the largest label plus
 * one, unless {@code --num-classes} gives them) from the labels file alone.
 */
public final class IdxSource implements DataSource {
    private final String location;
    private final IdxDirectory dir;
    private final IdxDirectory.Split split;
    private final DataConfig config;

    private IdxSource(String location, IdxDirectory dir, IdxDirectory.Split split, DataConfig config) {
        this.location = location;
        this.dir = dir;
        this.split = split;
        this.config = config;
    }

    /** The training split of the IDX directory at {@code location}. */
    static IdxSource open(String location, DataConfig config, Configuration hadoopConf) {
        return new IdxSource(location, new IdxDirectory(HadoopFs.resolve("data", location, hadoopConf)),
                IdxDirectory.Split.TRAIN, config);
    }

    /** {@link DataFormat#IDX} when the listing holds a {@code train-images-idx3-ubyte[.gz]} file. */
    static DataFormat detect(FileStatus[] entries) {
        for (FileStatus f : entries) {
            if (f.getPath().getName().toLowerCase(Locale.ROOT).startsWith("train-images-idx3-ubyte")) {
                return DataFormat.IDX;
            }
        }
        return null;
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public DataFormat format() {
        return DataFormat.IDX;
    }

    /** The directory's listing fingerprint (every split's files). */
    @Override
    public Map<String, Object> fingerprint() {
        return DataFingerprint.of(dir.location());
    }

    @Override
    public Optional<InputShape> knownShape() {
        IdxDirectory.Header h = dir.header(split);
        return Optional.of(new InputShape(1, h.rows(), h.cols()));
    }

    /** The headers' count, and the bytes of that many examples as batches (pixels and an int label each). */
    @Override
    public Optional<Declared> declared(int limit) {
        IdxDirectory.Header h = dir.header(split);
        long n = limit > 0 ? Math.min(limit, h.count()) : h.count();
        return Optional.of(new Declared(n, n * ((long) h.rows() * h.cols() + Integer.BYTES)));
    }

    @Override
    public Optional<DataSource> testSplit() {
        return split == IdxDirectory.Split.TRAIN
                ? Optional.of(new IdxSource(location, dir, IdxDirectory.Split.TEST, config)) : Optional.empty();
    }

    @Override
    public ExampleRows rows(SparkSession spark, int limit, Classes trained, LongAccumulator skipped) {
        return IdxRows.read(spark, dir, split, limit, classes(spark, limit, trained));
    }

    /** An IDX example keeps its index in the split ({@value ScoringRows#INDEX}); the files have no other columns. */
    @Override
    public ScoringRows scoring(SparkSession spark, List<String> keep, Classes trained, LongAccumulator skipped) {
        if (!keep.isEmpty()) {
            throw new InputException("--keep-cols " + String.join(",", keep) + " applies to tables and CSV files; "
                    + location + " is " + format().label() + " data, which has no columns (its output keeps each"
                    + " example's " + ScoringRows.INDEX + ")");
        }
        ExampleRows rows = IdxRows.read(spark, dir, split, 0, classes(spark, 0, trained), true);
        return new ScoringRows(rows, true, new StructType().add(ScoringRows.INDEX, DataTypes.LongType, false));
    }

    /**
     * The classes the labels are read as: the training data's (each held-out label, an index into them,
     * checked by tasks reading the labels file), {@code --num-classes}, or the split's largest label plus one.
     */
    private Classes classes(SparkSession spark, int limit, Classes trained) {
        if (trained == null) {
            return config.numClasses() > 0 ? new Classes(config.numClasses(), null)
                    : IdxRows.classes(spark, dir, split, config.limits().maxClasses());
        }
        IdxRows.requireKnownLabels(spark, dir, split, limit, trained);
        return trained;
    }
}
