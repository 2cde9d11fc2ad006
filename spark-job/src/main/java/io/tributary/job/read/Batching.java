package io.tributary.job.read;

import io.tributary.common.config.InputShape;
import io.tributary.common.data.RawBatch;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Cuts {@link ExampleRows} into compact batches on the executors. Training data is first put in an
 * order shuffled by the seed (a repartition on a seeded random key: the examples move between
 * executors once, never through the driver), then each partition is cut into batches; a batch's id
 * carries its partition ({@link #partitionOf}) and its place there ({@link #indexInPartition}).
 * Held-out data keeps its order, and each batch knows the index of its first example.
 */
public final class Batching {
    /** Bits of a batch id that number batches within a partition. */
    private static final int LOCAL_BITS = 20;

    private Batching() {
    }

    /** The features' multiplier: {@code configured} when given (> 0), else 1/255 for bytes and 1 for floats. */
    public static float scale(double configured, boolean bytes) {
        return configured > 0 ? (float) configured : bytes ? 1f / 255f : 1f;
    }

    /** The partition a batch id of {@link #training} belongs to. */
    public static int partitionOf(int id) {
        return id >>> LOCAL_BITS;
    }

    /** The place within its partition of a batch id of {@link #training}. */
    public static int indexInPartition(int id) {
        return id & ((1 << LOCAL_BITS) - 1);
    }

    /**
     * The training batches, cached at {@code level}: the rows shuffled by {@code seed} into
     * {@code partitions} partitions, each cut into batches of {@code batchSize}.
     *
     * @param scale multiplier of the features when a batch becomes a DataSet
     */
    public static JavaRDD<RawBatch> training(ExampleRows rows, int batchSize, long seed, int partitions, float scale,
                                             StorageLevel level) {
        Dataset<Row> shuffled = rows.rows().withColumn("_order", functions.rand(seed))
                .repartition(partitions, functions.col("_order")).sortWithinPartitions("_order")
                .drop("_order");
        JavaRDD<RawBatch> batches = shuffled.javaRDD().mapPartitionsWithIndex(
                new Cut(Spec.of(rows, scale, batchSize)), true);
        return level == null ? batches : batches.persist(level);
    }

    /**
     * The held-out batches in the rows' order, each knowing its first example's index, spread over at
     * least {@code minPartitions} partitions and cached at {@code level}.
     */
    public static JavaRDD<RawBatch> evaluation(ExampleRows rows, int batchSize, float scale, int minPartitions,
                                               StorageLevel level) {
        JavaRDD<RawBatch> batches = rows.rows().javaRDD().zipWithIndex().mapPartitionsWithIndex(
                new CutIndexed(Spec.of(rows, scale, batchSize)), true);
        if (batches.getNumPartitions() < minPartitions) {
            batches = batches.repartition(minPartitions);
        }
        return level == null ? batches : batches.persist(level);
    }

    /** The sizes of the batches in each partition, in order: what the driver plans epochs with. */
    public static List<int[]> sizes(JavaRDD<RawBatch> batches) {
        return batches.mapPartitions(it -> {
            List<Integer> sizes = new ArrayList<>();
            while (it.hasNext()) sizes.add(it.next().count());
            return List.of(sizes.stream().mapToInt(Integer::intValue).toArray()).iterator();
        }).collect();
    }

    /** What every batch of a dataset shares: the example shape, classes, feature kind, scale and batch size. */
    private record Spec(InputShape shape, int numClasses, boolean bytes, float scale, int batchSize)
            implements Serializable {
        static Spec of(ExampleRows rows, float scale, int batchSize) {
            return new Spec(rows.shape(), rows.numClasses(), rows.byteFeatures(), scale, batchSize);
        }
    }

    /** Accumulates rows into batches. */
    private static final class Builder {
        private final InputShape shape;
        private final int numClasses;
        private final boolean bytes;
        private final float scale;
        private final int batchSize;
        private byte[] byteValues;
        private float[] floatValues;
        private int[] labels;
        private int filled;

        Builder(Spec spec) {
            this.shape = spec.shape();
            this.numClasses = spec.numClasses();
            this.bytes = spec.bytes();
            this.scale = spec.scale();
            this.batchSize = spec.batchSize();
        }

        /** Adds a row; true when the batch is full. */
        boolean add(Row row) {
            int size = shape.size();
            if (labels == null) {
                labels = new int[batchSize];
                if (bytes) byteValues = new byte[batchSize * size];
                else floatValues = new float[batchSize * size];
            }
            if (bytes) {
                System.arraycopy((byte[]) row.get(0), 0, byteValues, filled * size, size);
            } else {
                ExampleRows.copyFloats(row.get(0), floatValues, filled * size, size);
            }
            labels[filled++] = row.getInt(1);
            return filled == batchSize;
        }

        boolean isEmpty() {
            return filled == 0;
        }

        RawBatch build(int id, long firstIndex) {
            int size = shape.size();
            RawBatch b = new RawBatch(id, firstIndex, filled, shape.channels(), shape.height(), shape.width(), numClasses,
                    bytes ? Arrays.copyOf(byteValues, filled * size) : null,
                    bytes ? null : Arrays.copyOf(floatValues, filled * size), scale,
                    Arrays.copyOf(labels, filled));
            labels = null;
            byteValues = null;
            floatValues = null;
            filled = 0;
            return b;
        }
    }

    /** Cuts a partition of training rows into batches numbered by partition and place. */
    private static final class Cut implements Function2<Integer, Iterator<Row>, Iterator<RawBatch>> {
        private final Spec spec;

        Cut(Spec spec) {
            this.spec = spec;
        }

        @Override
        public Iterator<RawBatch> call(Integer partition, Iterator<Row> rows) {
            if (partition >= (1 << (31 - LOCAL_BITS))) {
                throw new IllegalStateException("too many partitions for batch ids: " + partition);
            }
            Builder builder = new Builder(spec);
            return new Iterator<>() {
                private int local;

                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public RawBatch next() {
                    while (rows.hasNext() && !builder.add(rows.next())) {
                        // fill the batch
                    }
                    return builder.build((partition << LOCAL_BITS) | local++, -1);
                }
            };
        }
    }

    /** Cuts a partition of indexed rows into batches that know their first example's index. */
    private static final class CutIndexed implements Function2<Integer, Iterator<Tuple2<Row, Long>>, Iterator<RawBatch>> {
        private final Spec spec;

        CutIndexed(Spec spec) {
            this.spec = spec;
        }

        @Override
        public Iterator<RawBatch> call(Integer partition, Iterator<Tuple2<Row, Long>> rows) {
            Builder builder = new Builder(spec);
            return new Iterator<>() {
                private int local;

                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public RawBatch next() {
                    long first = -1;
                    while (rows.hasNext()) {
                        Tuple2<Row, Long> r = rows.next();
                        if (first < 0) first = r._2();
                        if (builder.add(r._1())) break;
                    }
                    return builder.build((partition << LOCAL_BITS) | local++, first);
                }
            };
        }
    }
}
