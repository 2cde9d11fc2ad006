package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.BadRecordPolicy;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An image folder ({@code --format images}): one subdirectory of {@code --data} per class, the
 * classes sorted by name (label {@code i} is the {@code i}-th), each holding JPEG, PNG, GIF or BMP
 * files, in nested folders too (an image's class is the first folder below {@code --data}). Files
 * with other extensions, names Spark leaves out ({@code .x}, {@code _x}) and images directly under
 * {@code --data} are not read; the log says how many.
 * <p>
 * The driver lists names only ({@link ImageFolder}). Spark's {@code binaryFile} source lists and
 * partitions the image files; executors read and decode each with ImageIO ({@link ImageDecoder}),
 * convert it to the channels of {@code --input-shape} ({@link ImagePixels}) and resize it to its
 * height and width ({@link Resampler}), giving unsigned-byte features.
 */
public final class ImageFolderRows implements DataSource {
    private static final Logger log = LoggerFactory.getLogger(ImageFolderRows.class);

    /** Classes named one by one in the log. */
    private static final int CLASSES_LOGGED = 20;

    private final String location;
    private final DataConfig config;
    private final Configuration hadoopConf;

    private ImageFolderRows(String location, DataConfig config, Configuration hadoopConf) {
        this.location = location;
        this.config = config;
        this.hadoopConf = hadoopConf;
    }

    /** The image folder at {@code location}. */
    static ImageFolderRows open(String location, DataConfig config, Configuration hadoopConf) {
        return new ImageFolderRows(location, config, hadoopConf);
    }

    /** {@link DataFormat#IMAGES} when the listing has a subdirectory Spark reads (not {@code _x} or {@code .x}). */
    static DataFormat detect(FileStatus[] entries) {
        for (FileStatus f : entries) {
            String name = f.getPath().getName();
            if (f.isDirectory() && !name.startsWith("_") && !name.startsWith(".")) return DataFormat.IMAGES;
        }
        return null;
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public DataFormat format() {
        return DataFormat.IMAGES;
    }

    @Override
    public Map<String, Object> fingerprint() {
        return DataSources.fingerprint(location, hadoopConf);
    }

    @Override
    public Optional<InputShape> knownShape() {
        return Optional.ofNullable(config.shape());
    }

    /** An image folder's rows identify nothing but their class: scoring keeps no columns. */
    @Override
    public ScoringRows scoring(SparkSession spark, List<String> keep, Classes trained, LongAccumulator skipped) {
        if (!keep.isEmpty()) {
            throw new InputException("--keep-cols " + String.join(",", keep) + " applies to tables and CSV files; "
                    + location + " is " + format().label() + " data, which has no columns");
        }
        return new ScoringRows(rows(spark, 0, trained, skipped), true, new StructType());
    }

    @Override
    public ExampleRows rows(SparkSession spark, int limit, Classes trained, LongAccumulator skipped) {
        InputShape shape = shapeOf(config, location);
        HadoopFs.Location root = HadoopFs.resolve("data", location, hadoopConf);
        ImageFolder folder = ImageFolder.list(root);
        int numClasses = folder.classNames().size();
        if (numClasses > config.limits().maxClasses()) {
            throw new InputException(String.format(Locale.ROOT, "Image folder %s has %,d class folders, more"
                    + " classes than %s %d; an image folder holds one subdirectory per class (raise %s if the data"
                    + " really has that many classes)", root, numClasses, TrainKeys.MAX_CLASSES.name(),
                    config.limits().maxClasses(), TrainKeys.MAX_CLASSES.name()));
        }
        if (trained == null && config.numClasses() != 0 && config.numClasses() != numClasses) {
            throw new InputException("--num-classes " + config.numClasses() + " does not match the " + numClasses
                    + " class folders of " + root + " (" + folder.classSummary(CLASSES_LOGGED) + ")");
        }
        List<String> classNames = trained == null ? folder.classNames() : trainedClasses(folder, root, trained);
        log.info("Image folder {}: {} images in {} classes ({}), read as {} (C,H,W)", root, folder.imageCount(),
                numClasses, folder.classSummary(CLASSES_LOGGED), shape);
        String ignored = folder.ignoredSummary();
        if (ignored != null) log.warn("Image folder {}: not read: {}", root, ignored);

        Dataset<Row> files = spark.read().format("binaryFile")
                .option("recursiveFileLookup", "true")
                .option("pathGlobFilter", ImageFiles.GLOB)
                .load(root.toString())
                // Not the content column: each task reads its files itself (ImageToExample says why).
                .select("path", "length");
        ImageToExample toExample = new ImageToExample(root.path().toUri().getPath(),
                classNames.toArray(String[]::new), shape, config.onBadRecord() == BadRecordPolicy.SKIP,
                skipped, new SerializableConfiguration(hadoopConf), config.limits().maxImageBytes());
        Dataset<Row> rows = files.flatMap(toExample, Encoders.row(schema()));
        return new ExampleRows(rows, shape, classNames.size(), classNames, true, location).first(limit);
    }

    /** A held-out folder's labels are the training data's: each of its class folders must be one of them. */
    private static List<String> trainedClasses(ImageFolder folder, HadoopFs.Location root, Classes trained) {
        if (trained.names() == null) {
            throw new InputException("Held-out image folder " + root + " has class folders, but the training data's "
                    + trained.count() + " classes are label indices, not names; held-out data must label its"
                    + " examples as the training data does");
        }
        for (String name : folder.classNames()) {
            if (!trained.names().contains(name)) {
                throw new InputException("Held-out image folder " + root + " has class folder \"" + name + "\", a"
                        + " class the model has never seen; " + trained.rule());
            }
        }
        return trained.names();
    }

    /** The rows' schema: the pixels as one {@code binary} value, the class index as {@code int}. */
    static StructType schema() {
        return new StructType()
                .add(ExampleRows.FEATURES, DataTypes.BinaryType, false)
                .add(ExampleRows.LABEL, DataTypes.IntegerType, false);
    }

    private static InputShape shapeOf(DataConfig config, String location) {
        InputShape shape = config.shape();
        if (shape == null) {
            throw new InputException("--input-shape is required for the image folder " + location + ": give C,H,W, "
                    + "the channels (1 for grayscale, 3 for RGB) and the height and width every image is resized to");
        }
        if (shape.channels() != 1 && shape.channels() != 3) {
            throw new InputException("--input-shape " + shape + " has " + shape.channels() + " channels; images are "
                    + "read as 1 channel (grayscale) or 3 (RGB)");
        }
        return shape;
    }
}
