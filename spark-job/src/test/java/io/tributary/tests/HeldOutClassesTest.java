package io.tributary.tests;

import io.tributary.common.config.BadRecordPolicy;
import io.tributary.common.config.CacheLevel;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.job.read.DataReader;
import io.tributary.job.read.DataSources;
import io.tributary.job.read.ExampleRows;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.tributary.tests.ImageFolders.grayHalves;
import static io.tributary.tests.ImageFolders.grayRamp;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Held-out data whose classes are a subset of the training data's (a rare class absent from a small
 * holdout) is read as the training data's classes, names and indices; a class the training data
 * does not have is refused in one sentence naming the file, the label and the rule.
 */
class HeldOutClassesTest extends TableRowsFixture {
    private static final StructType NAMED = new StructType()
            .add("label", DataTypes.StringType)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false));
    private static final StructType INDEXED = new StructType()
            .add("label", DataTypes.IntegerType)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false));

    private static Row example(Object label, float value) {
        return RowFactory.create(label, new float[] {value, -value});
    }

    private static DataReader.Inputs training(String train, String heldOut, DataFormat format, String shape) {
        DataConfig config = new DataConfig(format, format == DataFormat.IMAGES ? null : "features", "label", shape, 0,
                0.0, heldOut, 0.0, BadRecordPolicy.FAIL, CacheLevel.MEMORY_AND_DISK);
        Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
        return DataReader.training(spark, DataSources.open(train, config, hadoopConf), config, 0, 0, 1, hadoopConf,
                spark.sparkContext().longAccumulator("skipped"));
    }

    @Test
    void namedHeldOutLabelsMissingAClassAreReadAsTheTrainingDatasNamesAndIndices() {
        String train = write(frame(NAMED, example("cat", 1), example("dog", 2), example("fox", 3), example("cat", 4)),
                "parquet", "named-train.parquet");
        String heldOut = write(frame(NAMED, example("fox", 5), example("cat", 6), example("fox", 7)), "parquet",
                "named-holdout.parquet");

        ExampleRows test = training(train, heldOut, DataFormat.PARQUET, "1,1,2").test();

        assertEquals(List.of("cat", "dog", "fox"), test.classNames());
        assertEquals(3, test.numClasses());
        assertEquals(List.of(2, 0, 2), labels(sortedByFirstFeature(test)), "fox is index 2 as in training, not 1");
    }

    @Test
    void aNamedHeldOutClassTheTrainingDataLacksIsRefusedNamingFileAndLabel() {
        String train = write(frame(NAMED, example("cat", 1), example("dog", 2)), "parquet", "two-train.parquet");
        String heldOut = write(frame(NAMED, example("cat", 5), example("gnu", 6)), "parquet", "gnu-holdout.parquet");

        String message = inputError(() -> training(train, heldOut, DataFormat.PARQUET, "1,1,2"));

        assertTrue(message.startsWith("Held-out data " + heldOut + ": label \"gnu\" ("), message);
        assertTrue(message.contains(heldOut + "/part-"), "names the file: " + message);
        assertTrue(message.endsWith(" in column label is a class the model has never seen; held-out labels must be"
                + " among the training data's 2 classes ([cat, dog])"), message);
    }

    @Test
    void indexedHeldOutLabelsAreReadAsTheTrainingDatasClassCountAndALargerIndexIsRefused() {
        String train = write(frame(INDEXED, example(0, 1), example(4, 2), example(2, 3)), "parquet",
                "indexed-train.parquet");
        String fewer = write(frame(INDEXED, example(0, 5), example(1, 6)), "parquet", "indexed-fewer.parquet");
        String more = write(frame(INDEXED, example(3, 5), example(7, 6)), "parquet", "indexed-more.parquet");

        ExampleRows test = training(train, fewer, DataFormat.PARQUET, "1,1,2").test();
        assertEquals(5, test.numClasses(), "the training data's classes 0..4");
        assertEquals(List.of(0, 1), labels(sortedByFirstFeature(test)));

        String message = inputError(() -> training(train, more, DataFormat.PARQUET, "1,1,2"));
        assertTrue(message.startsWith("Held-out data " + more + ": label \"7\" ("), message);
        assertTrue(message.contains(more + "/part-"), "names the file: " + message);
        assertTrue(message.endsWith(" is a class the model has never seen; held-out labels must be among the training"
                + " data's 5 classes (0..4)"), message);
    }

    @Test
    void aHeldOutImageFolderMissingAClassIsReadAsTheTrainingFoldersClasses() {
        Path train = dir.resolve("folders-train");
        for (String name : List.of("cat", "dog", "fox")) ImageFolders.write(grayRamp(8), "png", train.resolve(name + "/a.png"));
        Path heldOut = dir.resolve("folders-holdout");
        ImageFolders.write(grayRamp(8), "png", heldOut.resolve("cat/a.png"));
        ImageFolders.write(grayHalves(8), "png", heldOut.resolve("fox/b.png"));
        Path unseen = dir.resolve("folders-unseen");
        ImageFolders.write(grayRamp(8), "png", unseen.resolve("owl/a.png"));

        ExampleRows test = training(train.toString(), heldOut.toString(), DataFormat.IMAGES, "1,8,8").test();
        assertEquals(List.of("cat", "dog", "fox"), test.classNames());
        List<Row> rows = test.rows().collectAsList();   // the test inspects two rows; training never collects
        assertEquals(List.of(0, 2), rows.stream().map(r -> r.getInt(1)).sorted().toList(), "fox is index 2");

        String message = inputError(() -> training(train.toString(), unseen.toString(), DataFormat.IMAGES, "1,8,8"));
        assertTrue(message.startsWith("Held-out image folder "), message);
        assertTrue(message.endsWith("folders-unseen has class folder \"owl\", a class the model has never seen;"
                + " held-out labels must be among the training data's 3 classes ([cat, dog, fox])"), message);
    }
}
