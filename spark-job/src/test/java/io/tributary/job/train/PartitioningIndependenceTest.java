package io.tributary.job.train;

import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.data.RawBatch;
import io.tributary.job.read.ExampleIdentity;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.spark.SparkConfs;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What training decides per example (the held-out split, a limit's choice, which replica trains an
 * example and where it comes in its order) is the same however the data arrives partitioned and
 * ordered: the same rows in 1, 3 or 7 partitions, in two orders, deal to the same bytes.
 */
class PartitioningIndependenceTest {
    static final InputShape SHAPE = new InputShape(1, 4, 4);
    static SparkSession spark;
    static List<Row> rows;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().config(SparkConfs.build("partitioning-test", "local[3]")
                .set("spark.ui.enabled", "false")).getOrCreate();
        Random rng = new Random(5);
        rows = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            byte[] pixels = new byte[SHAPE.size()];
            rng.nextBytes(pixels);
            rows.add(RowFactory.create(pixels, rng.nextInt(10)));
        }
        // The same example three times: equal content, equal identity.
        rows.add(rows.get(7));
        rows.add(rows.get(7));
    }

    @AfterAll
    static void stop() {
        spark.stop();
        spark = null;
    }

    /** The rows in {@code partitions} partitions, in file order or reversed. */
    static ExampleRows examples(int partitions, boolean reversed) {
        List<byte[]> ordered = new ArrayList<>();
        for (Row r : rows) {
            byte[] pixelsAndLabel = Arrays.copyOf((byte[]) r.get(0), SHAPE.size() + 1);
            pixelsAndLabel[SHAPE.size()] = (byte) r.getInt(1);
            ordered.add(pixelsAndLabel);
        }
        if (reversed) Collections.reverse(ordered);
        StructType schema = new StructType().add(ExampleRows.FEATURES, DataTypes.BinaryType, false)
                .add(ExampleRows.LABEL, DataTypes.IntegerType, false);
        Dataset<Row> df = spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(ordered, partitions).map(new ToRow()), schema);
        return new ExampleRows(df, SHAPE, 10, null, true, "rows");
    }

    /** An example row from its pixels followed by its label. */
    static final class ToRow implements Function<byte[], Row> {
        @Override
        public Row call(byte[] pixelsAndLabel) {
            return RowFactory.create(Arrays.copyOf(pixelsAndLabel, pixelsAndLabel.length - 1),
                    (int) pixelsAndLabel[pixelsAndLabel.length - 1]);
        }
    }

    static TrainConfig config(long seed) {
        return ConfigLoader.load(null, Map.of("data", "/d", "output", "/o", "seed", seed));
    }

    /** Each replica's cached examples, as the bytes and labels of its chunks in order. */
    static List<String> dealt(ExampleRows train, long seed, int replicas) {
        TrainingData data = new TrainingData(train, train, Map.of(), spark.sparkContext().longAccumulator());
        try (ReplicaData dealt = ReplicaData.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), data,
                config(seed), replicas)) {
            List<String> replicasContent = dealt.train().mapPartitions(new Content()).collect();
            assertEquals(replicas, replicasContent.size());
            assertEquals(rows.size(), Arrays.stream(dealt.examples()).sum());
            return replicasContent;
        }
    }

    /** A partition's chunks as text: their bytes and labels, in order. */
    static final class Content implements FlatMapFunction<Iterator<RawBatch>, String> {
        @Override
        public Iterator<String> call(Iterator<RawBatch> chunks) {
            StringBuilder content = new StringBuilder();
            chunks.forEachRemaining(c -> content.append(Arrays.toString(c.bytes())).append(Arrays.toString(c.labels()))
                    .append('|'));
            return List.of(content.toString()).iterator();
        }
    }

    @Test
    void theDealingIsTheSameWhateverThePartitionsAndOrder() {
        List<String> reference = dealt(examples(1, false), 42, 3);
        assertEquals(reference, dealt(examples(3, true), 42, 3), "3 partitions, reversed");
        assertEquals(reference, dealt(examples(7, false), 42, 3), "7 partitions");
        assertNotEquals(reference, dealt(examples(3, false), 43, 3), "another seed deals otherwise");
        assertTrue(reference.stream().allMatch(r -> r.length() > 0), "every replica has examples");
    }

    /**
     * Each replica holds the examples whose identity deals them to it, in identity order, equal examples
     * side by side, cut into chunks: computed here from the rows one by one, against Spark's shuffle.
     */
    @Test
    void eachReplicaHoldsItsExamplesInIdentityOrder() {
        int replicas = 2;
        List<String> expected = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            int replica = r;
            List<Row> mine = rows.stream().filter(row -> ReplicaPlan.replicaOf(identity(row), 42, replicas) == replica)
                    .sorted(Comparator.comparingLong(PartitioningIndependenceTest::identity)
                            .thenComparing((a, b) -> Arrays.compare((byte[]) a.get(0), (byte[]) b.get(0)))
                            .thenComparingInt(row -> row.getInt(1)))
                    .toList();
            StringBuilder content = new StringBuilder();
            for (int from = 0; from < mine.size(); from += ReplicaData.CHUNK) {
                List<Row> chunk = mine.subList(from, Math.min(mine.size(), from + ReplicaData.CHUNK));
                byte[] bytes = new byte[chunk.size() * SHAPE.size()];
                int[] labels = new int[chunk.size()];
                for (int i = 0; i < chunk.size(); i++) {
                    System.arraycopy((byte[]) chunk.get(i).get(0), 0, bytes, i * SHAPE.size(), SHAPE.size());
                    labels[i] = chunk.get(i).getInt(1);
                }
                content.append(Arrays.toString(bytes)).append(Arrays.toString(labels)).append('|');
            }
            expected.add(content.toString());
        }
        assertTrue(expected.stream().allMatch(c -> c.chars().filter(ch -> ch == '|').count() >= 2),
                "every replica has more than one chunk: " + ReplicaData.CHUNK + " examples a chunk");
        assertEquals(expected, dealt(examples(3, false), 42, replicas));
    }

    private static long identity(Row row) {
        return ExampleIdentity.of((byte[]) row.get(0), row.getInt(1));
    }

    @Test
    void theHeldOutSplitAndALimitAreTheSameWhateverThePartitions() {
        List<String> heldOut = null;
        List<String> first = null;
        for (int partitions : new int[] {1, 4, 7}) {
            for (boolean reversed : new boolean[] {false, true}) {
                ExampleRows all = examples(partitions, reversed);
                List<String> split = sorted(all.rows().filter(new ExampleIdentity.HeldOut(0.2, 42, SHAPE.size(), true))
                        .collectAsList());
                List<String> limited = sorted(ExampleIdentity.first(all, 100).collectAsList());
                if (heldOut == null) {
                    heldOut = split;
                    first = limited;
                }
                assertSame(heldOut, split, "held out, " + partitions + " partitions, reversed " + reversed);
                assertSame(first, limited, "first 100, " + partitions + " partitions, reversed " + reversed);
            }
        }
        assertEquals(0.2 * rows.size(), heldOut.size(), 0.2 * rows.size() * 0.25, "about a fifth held out");
        assertEquals(100, first.size());
    }

    /** The same examples; the message names how many differ rather than listing them all. */
    private static void assertSame(List<String> expected, List<String> actual, String what) {
        long missing = expected.stream().filter(e -> !actual.contains(e)).count();
        assertTrue(expected.equals(actual), what + ": " + actual.size() + " examples against " + expected.size()
                + ", " + missing + " of those missing");
    }

    private static List<String> sorted(List<Row> rows) {
        return rows.stream().map(r -> Arrays.toString((byte[]) r.get(0)) + r.getInt(1)).sorted().toList();
    }
}
