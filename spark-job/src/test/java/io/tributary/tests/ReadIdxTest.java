package io.tributary.tests;

import io.tributary.common.InputException;
import io.tributary.common.config.BadRecordPolicy;
import io.tributary.common.config.CacheLevel;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.data.IdxData;
import io.tributary.common.data.IdxDirectory;
import io.tributary.common.data.IdxFixtures;
import io.tributary.common.data.RawBatch;
import io.tributary.common.io.HadoopFs;
import io.tributary.job.read.Batching;
import io.tributary.job.read.Classes;
import io.tributary.job.read.DataReader;
import io.tributary.job.read.DataSources;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.read.IdxRows;
import io.tributary.job.spark.SparkConfs;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** IDX splits read by executors, a range per task, and cut into batches there. */
class ReadIdxTest {
    @TempDir
    static Path tmp;
    static transient SparkSession spark;
    static Path data;
    static IdxData expected;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().config(SparkConfs.build("read-idx-test", "local[2]")).getOrCreate();
        data = tmp.resolve("data");
    }

    @AfterAll
    static void stop() {
        spark.stop();
        spark = null;
    }

    static IdxDirectory dir(Path p) {
        return new IdxDirectory(HadoopFs.resolve("data", p.toString(), new Configuration()));
    }

    static ExampleRows rows(Path p, IdxDirectory.Split split, int limit) throws Exception {
        if (!Files.exists(p)) {
            IdxFixtures.writeLearnable(p, 25_000, 300, 12, 5, p.getFileName().toString().endsWith("gz"));
        }
        return IdxRows.read(spark, dir(p), split, limit, IdxRows.classes(spark, dir(p), split, 1000));
    }

    @Test
    void everyExampleIsReadOnceInFileOrderByTasks() throws Exception {
        ExampleRows rows = rows(data, IdxDirectory.Split.TRAIN, 0);
        IdxData all = dir(data).read(IdxDirectory.Split.TRAIN);
        assertEquals(1, rows.shape().channels());
        assertEquals(12, rows.shape().height());
        assertEquals(10, rows.numClasses());
        assertTrue(rows.byteFeatures());
        assertTrue(rows.rows().javaRDD().getNumPartitions() >= 3, "25,000 examples take several tasks");
        List<Row> read = rows.rows().collectAsList();   // the test inspects every row; training never collects
        assertEquals(all.count(), read.size());
        for (int i = 0; i < read.size(); i++) {
            assertEquals(all.labels()[i] & 0xff, read.get(i).getInt(1), "label of example " + i);
            assertArrayEquals(Arrays.copyOfRange(all.pixels(), i * 144, (i + 1) * 144), (byte[]) read.get(i).get(0),
                    "pixels of example " + i);
        }
    }

    @Test
    void aGzippedSplitIsReadInRangesByTasksWithTheSameExamples() throws Exception {
        ExampleRows gz = rows(tmp.resolve("data-gz"), IdxDirectory.Split.TRAIN, 0);
        assertEquals(Math.min(spark.sparkContext().defaultParallelism(), 3), gz.rows().javaRDD().getNumPartitions(),
                "25,000 gzipped examples: a task per core, as many as 10,000 examples a task need");
        List<Row> a = gz.rows().collectAsList();   // the test inspects every row; training never collects
        List<Row> b = rows(data, IdxDirectory.Split.TRAIN, 0).rows().collectAsList();
        assertEquals(b.size(), a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(b.get(i).getInt(1), a.get(i).getInt(1), "label of example " + i);
            assertArrayEquals((byte[]) b.get(i).get(0), (byte[]) a.get(i).get(0), "pixels of example " + i);
        }
        ExampleRows few = rows(tmp.resolve("data-gz"), IdxDirectory.Split.TRAIN, 4_000);
        assertEquals(1, few.rows().javaRDD().getNumPartitions(), "fewer than 10,000 gzipped examples: one task");
        assertEquals(4_000, few.rows().count());
    }

    @Test
    void aLimitReadsTheFirstExamples() throws Exception {
        assertEquals(500, rows(data, IdxDirectory.Split.TRAIN, 500).rows().count());
        assertEquals(300, rows(data, IdxDirectory.Split.TEST, 0).rows().count());
    }

    @Test
    void aTruncatedFileIsNamedByTheTaskThatFindsIt() throws Exception {
        Path broken = tmp.resolve("broken");
        IdxFixtures.writeLearnable(broken, 2000, 100, 12, 6, false);
        Path images = broken.resolve("train-images-idx3-ubyte");
        byte[] bytes = Files.readAllBytes(images);
        // The header still claims 2000 images; the uncompressed length check catches it on the driver.
        Files.write(images, Arrays.copyOf(bytes, bytes.length - 144 * 10));
        InputException e = assertThrows(InputException.class, () -> rows(broken, IdxDirectory.Split.TRAIN, 0));
        assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
    }

    @Test
    void theClassesAreTheDatasLargestLabelPlusOne() throws Exception {
        Path three = Files.createDirectories(tmp.resolve("three-classes"));
        Random rng = new Random(11);
        for (String split : List.of("train", "t10k")) {
            Files.write(three.resolve(split + "-images-idx3-ubyte"), IdxFixtures.images(400, 6, 6, rng));
            Files.write(three.resolve(split + "-labels-idx1-ubyte"), IdxFixtures.labels(400, 3, rng));
        }
        DataConfig config = new DataConfig(DataFormat.AUTO, null, "label", null, 0, 0.0, null, 0.0,
                BadRecordPolicy.FAIL, CacheLevel.MEMORY_AND_DISK);
        DataReader.Inputs in = DataReader.training(spark,
                DataSources.open(three.toString(), config, new Configuration()), config, 0, 0, 1, new Configuration(),
                spark.sparkContext().longAccumulator("skipped"));
        assertEquals(3, in.train().numClasses());
        assertEquals(3, in.test().numClasses(), "the held-out split is read as the training split's classes");
        assertEquals(3, dir(three).read(IdxDirectory.Split.TRAIN).numClasses(), "the single-process reader too");
        JavaRDD<RawBatch> batches = Batching.training(in.train(), 50, 1, 2, 1f / 255f, null);
        assertEquals(3, batches.first().numClasses(), "batches are one-hot over three classes");
    }

    @Test
    void aHeldOutLabelTheTrainingSplitLacksIsRefusedNamingFileAndIndex() throws Exception {
        Path unseen = tmp.resolve("unseen-label");
        IdxFixtures.writeLearnable(unseen, 300, 100, 12, 7, false);
        Path labels = unseen.resolve("t10k-labels-idx1-ubyte");
        byte[] bytes = Files.readAllBytes(labels);
        bytes[8 + 42] = 10;
        Files.write(labels, bytes);
        DataConfig config = new DataConfig(DataFormat.AUTO, null, "label", null, 0, 0.0, null, 0.0,
                BadRecordPolicy.FAIL, CacheLevel.MEMORY_AND_DISK);
        InputException e = assertThrows(InputException.class, () -> DataReader.training(spark,
                DataSources.open(unseen.toString(), config, new Configuration()), config, 0, 0, 1, new Configuration(), spark.sparkContext().longAccumulator("skipped")));
        assertEquals(labels.toUri().getPath() + ": label 10 at index 42 is a class the model has never seen: held-out"
                + " labels must be among the training data's 10 classes (0..9)", e.getMessage().replace("file:", ""));
    }

    @Test
    void aLabelOutOfRangeFailsTheJobNamingFileAndIndex() throws Exception {
        Path bad = tmp.resolve("bad-label");
        IdxFixtures.writeLearnable(bad, 2000, 100, 12, 7, false);
        Path labels = bad.resolve("train-labels-idx1-ubyte");
        byte[] bytes = Files.readAllBytes(labels);
        bytes[8 + 1234] = 12;
        Files.write(labels, bytes);
        // As with --num-classes 10: the labels must be below it.
        ExampleRows rows = IdxRows.read(spark, dir(bad), IdxDirectory.Split.TRAIN, 0, new Classes(10, null));
        Exception e = assertThrows(Exception.class, () -> rows.rows().count());
        Throwable input = e;
        while (input != null && !(input instanceof InputException)) input = input.getCause();
        assertNotNull(input, "the task's InputException reaches the driver as a cause: " + e);
        assertTrue(input.getMessage().contains("label 12 at index 1234 is out of range"), input.getMessage());
        assertTrue(input.getMessage().contains(labels.toString()), input.getMessage());
    }

    @Test
    void trainingBatchesHoldEveryExampleOnceInASeededOrder() throws Exception {
        ExampleRows rows = rows(data, IdxDirectory.Split.TRAIN, 3000);
        JavaRDD<RawBatch> a = Batching.training(rows, 64, 42, 2, 1f / 255f, StorageLevel.MEMORY_ONLY());
        JavaRDD<RawBatch> b = Batching.training(rows, 64, 42, 2, 1f / 255f, null);
        JavaRDD<RawBatch> c = Batching.training(rows, 64, 43, 2, 1f / 255f, null);
        List<RawBatch> batches = new ArrayList<>(a.collect());
        assertEquals(3000, batches.stream().mapToInt(RawBatch::count).sum());
        int[] sizes = Batching.sizes(a).stream().flatMapToInt(Arrays::stream).toArray();
        assertEquals(batches.size(), sizes.length);
        assertTrue(batches.stream().allMatch(x -> x.count() <= 64 && x.scale() == 1f / 255f));
        int[] labelCounts = new int[10];
        batches.forEach(x -> Arrays.stream(x.labels()).forEach(l -> labelCounts[l]++));
        int[] fileCounts = new int[10];
        IdxData first = dir(data).read(IdxDirectory.Split.TRAIN, 3000);
        for (byte l : first.labels()) fileCounts[l & 0xff]++;
        assertArrayEquals(fileCounts, labelCounts, "every example once");
        assertEquals(labelsById(batches), labelsById(b.collect()), "the same seed gives the same batches");
        assertNotEquals(labelsById(batches), labelsById(c.collect()), "another seed another order");
        a.unpersist(false);
    }

    @Test
    void heldOutBatchesKeepTheFileOrderAndKnowTheirFirstExample() throws Exception {
        ExampleRows rows = rows(data, IdxDirectory.Split.TEST, 0);
        List<RawBatch> batches = new ArrayList<>(Batching.evaluation(rows, 50, 1f / 255f, 2, null).collect());
        batches.sort(Comparator.comparingLong(RawBatch::firstIndex));
        IdxData test = dir(data).read(IdxDirectory.Split.TEST);
        long next = 0;
        for (RawBatch x : batches) {
            assertEquals(next, x.firstIndex());
            for (int k = 0; k < x.count(); k++) {
                assertEquals(test.labels()[(int) next + k] & 0xff, x.labels()[k]);
            }
            next += x.count();
        }
        assertEquals(300, next);
    }

    private static List<String> labelsById(List<RawBatch> batches) {
        return batches.stream().sorted(Comparator.comparingInt(RawBatch::id))
                .map(x -> x.id() + ":" + Arrays.toString(x.labels())).toList();
    }
}
