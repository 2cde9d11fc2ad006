package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.CacheLevel;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.data.RawBatch;
import io.tributary.job.read.Batching;
import io.tributary.job.read.ExampleRows;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.BlockManagerMaster;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;

import java.util.List;

/**
 * The training and held-out data as batches cached on the executors for the whole run, as DL4J's
 * training masters take them ({@link Dl4jSteps}; parameter averaging deals its examples to replicas
 * instead, {@link ReplicaData}). Batches are
 * numbered 0..n-1 across partitions ({@link #index}): epochs are planned over these numbers, and a
 * step's batches are found where they are cached. Closing releases both.
 *
 * @param offsets    for each partition of {@code train}, the number of its first batch
 * @param batchSizes the number of examples in each training batch, by number
 * @param test       the held-out data in its order, {@link Batches#EVAL_BATCH} examples a batch
 */
public record DistributedData(JavaRDD<RawBatch> train, int[] offsets, int[] batchSizes, JavaRDD<RawBatch> test)
        implements AutoCloseable {

    /** Cuts the data into batches on the executors and caches them where {@code config}'s cache level says. */
    public static DistributedData of(JavaSparkContext sc, TrainingData data, TrainConfig config) {
        float scale = Batching.scale(config.input().featureScale(), data.train().byteFeatures());
        StorageLevel level = level(config.input().cache());
        JavaRDD<RawBatch> train = Batching.training(data.train(), config.batchSizePerWorker(), config.seed(),
                sc.defaultParallelism(), scale, level);
        List<int[]> perPartition = Batching.sizes(train);
        int[] offsets = new int[perPartition.size()];
        int total = 0;
        for (int p = 0; p < offsets.length; p++) {
            offsets[p] = total;
            total += perPartition.get(p).length;
        }
        int[] sizes = new int[total];
        for (int p = 0; p < offsets.length; p++) {
            System.arraycopy(perPartition.get(p), 0, sizes, offsets[p], perPartition.get(p).length);
        }
        if (total == 0) {
            train.unpersist(false);
            throw new InputException("No training examples in " + data.train().source() + "; the data is empty");
        }
        requireCached(train, config.input().cache(), data.train());
        JavaRDD<RawBatch> test = Batching.evaluation(data.test(), Batches.EVAL_BATCH, scale, sc.defaultParallelism(),
                level);
        return new DistributedData(train, offsets, sizes, test);
    }

    /** The number of batch {@code id} (a {@link Batching} id). */
    public int index(int id) {
        return offsets[Batching.partitionOf(id)] + Batching.indexInPartition(id);
    }

    /** The number of batches in each partition of the training data. */
    public int[] partitionBatches() {
        int[] n = new int[offsets.length];
        for (int p = 0; p < offsets.length; p++) {
            n[p] = (p + 1 < offsets.length ? offsets[p + 1] : batchSizes.length) - offsets[p];
        }
        return n;
    }

    public int numBatches() {
        return batchSizes.length;
    }

    /** Training examples in all batches. */
    public long examples() {
        long n = 0;
        for (int s : batchSizes) n += s;
        return n;
    }

    /** Bytes of the training batches cached on the executors (memory and disk), as Spark's storage status has them. */
    public long cachedTrainBytes() {
        return cachedBytes(train);
    }

    /** Bytes of {@code rdd} cached on the executors (memory and disk), as Spark's storage status has them. */
    static long cachedBytes(JavaRDD<?> rdd) {
        for (RDDInfo info : rdd.context().getRDDStorageInfo()) {
            if (info.id() == rdd.id()) {
                return info.memSize() + info.diskSize();
            }
        }
        return 0;
    }

    @Override
    public void close() {
        train.unpersist(false);
        test.unpersist(false);
    }

    /** Spark's storage level of a cache level ({@code null}: not cached). */
    public static StorageLevel level(CacheLevel cache) {
        return switch (cache) {
            case MEMORY -> StorageLevel.MEMORY_ONLY();
            case MEMORY_AND_DISK -> StorageLevel.MEMORY_AND_DISK();
            case DISK -> StorageLevel.DISK_ONLY();
            case NONE -> null;
        };
    }

    /**
     * With {@code --cache memory}, every partition must be cached: a partition that did not fit would be
     * read again for every step, which is a run that never ends rather than an error.
     */
    static void requireCached(JavaRDD<RawBatch> train, CacheLevel cache, ExampleRows rows) {
        if (cache != CacheLevel.MEMORY) {
            return;
        }
        RDD<RawBatch> rdd = train.rdd();
        // Asked of the block manager's master, which knows every block as it is stored (Spark's
        // storage status, by contrast, follows the event bus and can lag).
        BlockManagerMaster master = SparkEnv.get().blockManager().master();
        int cached = 0;
        for (int p = 0; p < rdd.getNumPartitions(); p++) {
            if (!master.getLocations(new RDDBlockId(rdd.id(), p)).isEmpty()) cached++;
        }
        if (cached < rdd.getNumPartitions()) {
            train.unpersist(false);
            throw new InputException("The training data " + rows.source() + " does not fit the executors' storage"
                    + " memory: " + cached + " of its " + rdd.getNumPartitions() + " partitions could be cached; use --" + TrainKeys.CACHE.name() + " memory-and-disk or disk, give the"
                    + " executors more memory, or read fewer with --" + TrainKeys.TRAIN_EXAMPLES.name() + " N");
        }
    }
}
