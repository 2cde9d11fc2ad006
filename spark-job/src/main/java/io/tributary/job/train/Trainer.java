package io.tributary.job.train;

import io.tributary.common.metrics.ClassificationReport;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

/**
 * The epoch loop. Each epoch visits the cached training batches in a new seeded order, segment by
 * segment (each a whole number of averaging rounds, so progress can be shown), then evaluates on
 * the held-out data.
 */
public final class Trainer {
    private final JavaSparkContext sc;
    private final SparkDl4jMultiLayer net;
    private final Progress progress;
    private ClassificationReport lastReport;

    public Trainer(JavaSparkContext sc, SparkDl4jMultiLayer net, Progress progress) {
        this.sc = sc;
        this.net = net;
        this.progress = progress;
    }

    /**
     * @param train           the training batches, broadcast to the executors
     * @param batchSizes      the number of examples in each training batch, by batch id
     * @param test            cached held-out data
     * @param batchesPerRound batches fitted between two averagings, over all workers
     */
    public List<EpochResult> train(Broadcast<RawBatch[]> train, int[] batchSizes, JavaRDD<DataSet> test, int numClasses,
                                   int epochs, int batchesPerRound, long seed, int threadsPerTask) {
        int numBatches = batchSizes.length;
        int partitions = sc.defaultParallelism();
        BatchById lookup = new BatchById(train);
        List<EpochResult> results = new ArrayList<>();
        ToDataSet toDataSet = new ToDataSet(threadsPerTask);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            EpochPlan plan = EpochPlan.of(numBatches, batchesPerRound, seed, epoch);
            long start = System.nanoTime();
            long seen = 0;
            double lossSum = 0;
            for (int s = 0; s < plan.segments(); s++) {
                List<Integer> ids = plan.batchesOf(s);
                JavaRDD<DataSet> segment = sc.parallelize(ids, partitions).map(lookup).map(toDataSet)
                        .persist(StorageLevel.MEMORY_ONLY());
                try {
                    net.fit(segment);
                } finally {
                    segment.unpersist(false);
                }
                for (int id : ids) {
                    seen += batchSizes[id];
                }
                double loss = net.getScore();
                lossSum += loss;
                progress.step(epoch, s + 1, plan.segments(), seen, (System.nanoTime() - start) / 1e9, loss);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            lastReport = evaluate(test, numClasses);
            double accuracy = lastReport.accuracy();
            EpochResult r = new EpochResult(epoch, lossSum / plan.segments(), accuracy, seen, seconds,
                    io.tributary.common.metrics.ProcessMemory.rssMb());
            results.add(r);
            progress.epoch(r);
        }
        return results;
    }

    /** The held-out evaluation after the last epoch trained, or {@code null} before the first. */
    public ClassificationReport lastReport() {
        return lastReport;
    }

    /** Distributed evaluation of the current model. */
    public ClassificationReport evaluate(JavaRDD<DataSet> data, int numClasses) {
        return evaluate(net, data, numClasses, Batches.EVAL_BATCH);
    }

    /**
     * Distributed evaluation of any network. {@code batchSize} must be the size of the data's
     * DataSets: DL4J's evaluation iterator then uses them as they are. (Re-batching cached
     * DataSets of another size fails in M2.1 with "Cannot merge examples ... shape: []".)
     */
    public static ClassificationReport evaluate(SparkDl4jMultiLayer net, JavaRDD<DataSet> data, int numClasses,
                                                int batchSize) {
        Evaluation eval = net.doEvaluation(data, 1, batchSize, new Evaluation(numClasses))[0];
        return ClassificationReport.of(eval, numClasses);
    }
}
