package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.data.RawBatch;
import io.tributary.job.read.Batching;
import io.tributary.job.read.ExampleIdentity;
import io.tributary.job.read.ExampleRows;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The training examples dealt to the run's replicas and cached on the executors, with the held-out
 * batches. Partition {@code r} of {@link #train} holds replica {@code r}'s examples in the order of their
 * identities ({@link ExampleIdentity}, ties broken by content), as chunks of {@value #CHUNK}; which replica
 * an example goes to is {@link ReplicaPlan#replicaOf} its identity. The examples move between executors
 * once, in one shuffle, never through the driver, and what each replica holds is a function of the data
 * and the seed alone: the same whatever partitions the data was read in and whichever executors cache
 * it. A lost partition is rebuilt by Spark from its lineage (the shuffle, or the data source), on any
 * executor. Closing releases both datasets.
 *
 * @param examples the number of examples of each replica
 * @param test     the held-out data in its order, {@link Batches#EVAL_BATCH} examples a batch
 */
public record ReplicaData(JavaRDD<RawBatch> train, int[] examples, JavaRDD<RawBatch> test) implements AutoCloseable {
    /** Examples per cached chunk (and per batch of the training sample's evaluation). */
    static final int CHUNK = Batches.EVAL_BATCH;

    /** Deals {@code data}'s training rows to {@code replicas} replicas and caches them where the config says. */
    public static ReplicaData of(JavaSparkContext sc, TrainingData data, TrainConfig config, int replicas) {
        ExampleRows rows = data.train();
        float scale = Batching.scale(config.input().featureScale(), rows.byteFeatures());
        StorageLevel level = DistributedData.level(config.input().cache());
        Spec spec = new Spec(rows.shape(), rows.numClasses(), scale);
        JavaRDD<RawBatch> train = rows.rows().javaRDD()
                .mapToPair(new Deal(config.seed(), replicas, rows.shape().size()))
                .repartitionAndSortWithinPartitions(new ByReplica(replicas), new ByIdentity())
                .mapPartitions(new Chunks(spec), true);
        if (level != null) {
            train = train.persist(level);
        }
        int[] examples = train.mapPartitions(new CountExamples()).collect().stream().mapToInt(Integer::intValue)
                .toArray();
        if (Arrays.stream(examples).asLongStream().sum() == 0) {
            train.unpersist(false);
            throw new InputException("No training examples in " + rows.source() + "; the data is empty");
        }
        DistributedData.requireCached(train, config.input().cache(), rows);
        JavaRDD<RawBatch> test = Batching.evaluation(data.test(), Batches.EVAL_BATCH, scale, sc.defaultParallelism(),
                level);
        return new ReplicaData(train, examples, test);
    }

    @Override
    public int[] examples() {
        return examples.clone();
    }

    /**
     * A fixed sample of about {@code n} training examples for measuring training accuracy: the first of
     * each replica's identity order, which the seeded dealing makes a random sample.
     */
    public JavaRDD<RawBatch> sample(int n) {
        return train.mapPartitions(new FirstExamples((n + examples.length - 1) / examples.length), true);
    }

    /** Bytes of the training examples cached on the executors (memory and disk), as Spark's storage status has them. */
    public long cachedBytes() {
        return DistributedData.cachedBytes(train);
    }

    @Override
    public void close() {
        train.unpersist(false);
        test.unpersist(false);
    }

    /** An example's place in the dealing: its replica, and its identity, which orders it there. */
    public static final class DealKey implements Serializable {
        final int replica;
        final long identity;

        DealKey(int replica, long identity) {
            this.replica = replica;
            this.identity = identity;
        }
    }

    /** One example on its way to its replica: byte or float features and a label. */
    public static final class Example implements Serializable {
        final byte[] bytes;
        final float[] floats;
        final int label;

        Example(byte[] bytes, float[] floats, int label) {
            this.bytes = bytes;
            this.floats = floats;
            this.label = label;
        }

        /** Content order, for examples of equal identity: features, then label. */
        static int compare(Example a, Example b) {
            int c = a.bytes != null ? Arrays.compare(a.bytes, b.bytes) : compareBits(a.floats, b.floats);
            return c != 0 ? c : Integer.compare(a.label, b.label);
        }

        private static int compareBits(float[] a, float[] b) {
            for (int i = 0; i < Math.min(a.length, b.length); i++) {
                int c = Integer.compare(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i]));
                if (c != 0) return c;
            }
            return Integer.compare(a.length, b.length);
        }
    }

    /** What every chunk shares: the example shape, classes and the features' scale. */
    private record Spec(InputShape shape, int numClasses, float scale) implements Serializable {
    }

    /** Keys a row by its replica and identity. */
    private static final class Deal implements PairFunction<Row, DealKey, Example> {
        private final long seed;
        private final int replicas;
        private final int values;

        Deal(long seed, int replicas, int values) {
            this.seed = seed;
            this.replicas = replicas;
            this.values = values;
        }

        @Override
        public Tuple2<DealKey, Example> call(Row row) {
            Object features = row.get(0);
            int label = row.getInt(1);
            Example example;
            long identity;
            if (features instanceof byte[] bytes) {
                example = new Example(bytes, null, label);
                identity = ExampleIdentity.of(bytes, label);
            } else {
                float[] floats = new float[values];
                ExampleRows.copyFloats(features, floats, 0, values);
                example = new Example(null, floats, label);
                identity = ExampleIdentity.of(floats, label);
            }
            return new Tuple2<>(new DealKey(ReplicaPlan.replicaOf(identity, seed, replicas), identity), example);
        }
    }

    /** Partition {@code r} is replica {@code r}. */
    static final class ByReplica extends Partitioner {
        private final int replicas;

        ByReplica(int replicas) {
            this.replicas = replicas;
        }

        @Override
        public int numPartitions() {
            return replicas;
        }

        @Override
        public int getPartition(Object key) {
            return ((DealKey) key).replica;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByReplica other && other.replicas == replicas;
        }

        @Override
        public int hashCode() {
            return replicas;
        }
    }

    /** Orders a replica's examples by identity (ties are broken by content afterwards, {@link Chunks}). */
    private static final class ByIdentity implements Comparator<DealKey>, Serializable {
        @Override
        public int compare(DealKey a, DealKey b) {
            return Long.compare(a.identity, b.identity);
        }
    }

    /**
     * Cuts a replica's examples, sorted by identity, into chunks of {@value #CHUNK}; examples of equal
     * identity are put in content order first, so the order is total.
     */
    private static final class Chunks implements FlatMapFunction<Iterator<Tuple2<DealKey, Example>>, RawBatch> {
        private final Spec spec;

        Chunks(Spec spec) {
            this.spec = spec;
        }

        @Override
        public Iterator<RawBatch> call(Iterator<Tuple2<DealKey, Example>> sorted) {
            return new Iterator<>() {
                private final List<Example> tie = new ArrayList<>();
                private Tuple2<DealKey, Example> next = sorted.hasNext() ? sorted.next() : null;
                private int tieAt;
                private int chunk;
                private long position;

                @Override
                public boolean hasNext() {
                    return tieAt < tie.size() || next != null;
                }

                @Override
                public RawBatch next() {
                    if (!hasNext()) throw new NoSuchElementException();
                    ChunkBuilder builder = new ChunkBuilder(spec);
                    while (builder.count() < CHUNK && hasNext()) {
                        if (tieAt == tie.size()) {
                            fillTie();
                        }
                        builder.add(tie.get(tieAt++));
                    }
                    RawBatch b = builder.build(chunk++, position);
                    position += b.count();
                    return b;
                }

                /** The next run of examples with one identity, in content order. */
                private void fillTie() {
                    tie.clear();
                    tieAt = 0;
                    long identity = next._1().identity;
                    while (next != null && next._1().identity == identity) {
                        tie.add(next._2());
                        next = sorted.hasNext() ? sorted.next() : null;
                    }
                    tie.sort(Example::compare);
                }
            };
        }
    }

    /** Collects examples into one chunk. */
    private static final class ChunkBuilder {
        private final Spec spec;
        private final List<Example> examples = new ArrayList<>(CHUNK);

        ChunkBuilder(Spec spec) {
            this.spec = spec;
        }

        void add(Example e) {
            examples.add(e);
        }

        int count() {
            return examples.size();
        }

        RawBatch build(int id, long firstIndex) {
            int n = examples.size();
            int size = spec.shape().size();
            boolean bytes = examples.get(0).bytes != null;
            byte[] byteValues = bytes ? new byte[n * size] : null;
            float[] floatValues = bytes ? null : new float[n * size];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                Example e = examples.get(i);
                if (bytes) {
                    System.arraycopy(e.bytes, 0, byteValues, i * size, size);
                } else {
                    System.arraycopy(e.floats, 0, floatValues, i * size, size);
                }
                labels[i] = e.label;
            }
            InputShape s = spec.shape();
            return new RawBatch(id, firstIndex, n, s.channels(), s.height(), s.width(), spec.numClasses(), byteValues,
                    floatValues, spec.scale(), labels);
        }
    }

    /** The number of examples in a partition. */
    private static final class CountExamples implements FlatMapFunction<Iterator<RawBatch>, Integer> {
        @Override
        public Iterator<Integer> call(Iterator<RawBatch> chunks) {
            int n = 0;
            while (chunks.hasNext()) n += chunks.next().count();
            return List.of(n).iterator();
        }
    }

    /** The first {@code n} examples of a partition. */
    private static final class FirstExamples implements FlatMapFunction<Iterator<RawBatch>, RawBatch> {
        private final int n;

        FirstExamples(int n) {
            this.n = n;
        }

        @Override
        public Iterator<RawBatch> call(Iterator<RawBatch> chunks) {
            List<RawBatch> out = new ArrayList<>();
            int left = n;
            while (left > 0 && chunks.hasNext()) {
                RawBatch c = chunks.next();
                out.add(c.count() <= left ? c : ReplicaExamples.slice(c, 0, left));
                left -= Math.min(left, c.count());
            }
            return out.iterator();
        }
    }
}
