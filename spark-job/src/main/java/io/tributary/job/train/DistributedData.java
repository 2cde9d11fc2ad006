package io.tributary.job.train;

import io.tributary.common.data.RawBatch;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * The training and held-out data as the executors see them during training: training batches (by
 * id) with their sizes, and the held-out batches, cached. Closing releases both.
 *
 * @param train      the training batches, indexed by batch id
 * @param batchSizes the number of examples in each training batch, by batch id
 * @param test       the held-out data in file order, {@link Batches#EVAL_BATCH} examples a batch
 */
public record DistributedData(Broadcast<RawBatch[]> train, int[] batchSizes, JavaRDD<RawBatch> test)
        implements AutoCloseable {

    /** Cuts the data into batches of {@code batchSize} in an order shuffled by {@code seed} and hands them to Spark. */
    public static DistributedData of(JavaSparkContext sc, TrainingData data, int batchSize, long seed) {
        RawBatch[] batches = Batches.of(data.train(), batchSize, seed).toArray(new RawBatch[0]);
        int[] sizes = new int[batches.length];
        for (RawBatch b : batches) {
            sizes[b.id()] = b.count();
        }
        return new DistributedData(sc.broadcast(batches), sizes,
                Batches.rdd(sc, data.test()).persist(StorageLevel.MEMORY_ONLY()));
    }

    public int numBatches() {
        return batchSizes.length;
    }

    @Override
    public void close() {
        train.destroy();
        test.unpersist(false);
    }
}
