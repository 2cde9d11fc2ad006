package io.tributary.job.train;

import io.tributary.common.metrics.ProcessMemory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

/**
 * The epoch loop. Each epoch visits the cached training batches in a new seeded order, segment by
 * segment (each a whole number of averaging rounds, so progress can be shown), then evaluates on
 * the held-out data.
 */
public final class Trainer {
    /** Misclassified held-out examples reported (the ones the model was surest of). */
    public static final int MISCLASSIFIED_KEPT = 200;

    private final JavaSparkContext sc;
    private final SparkDl4jMultiLayer net;
    private final Progress progress;
    private final boolean scoreOnDriver;
    private final int stallTimeoutSeconds;
    private HoldoutEvaluation.Result lastEvaluation;

    /**
     * @param scoreOnDriver       compute each segment's loss on the driver's model (shared-gradient
     *                            training reports no score of its own) instead of taking the training master's
     * @param stallTimeoutSeconds longest one segment may train before it is cancelled; 0 for no limit
     */
    public Trainer(JavaSparkContext sc, SparkDl4jMultiLayer net, Progress progress, boolean scoreOnDriver,
                   int stallTimeoutSeconds) {
        this.sc = sc;
        this.net = net;
        this.progress = progress;
        this.scoreOnDriver = scoreOnDriver;
        this.stallTimeoutSeconds = stallTimeoutSeconds;
    }

    /**
     * @param train           the training batches, broadcast to the executors
     * @param batchSizes      the number of examples in each training batch, by batch id
     * @param test            cached held-out data, in file order, {@link Batches#EVAL_BATCH} examples a batch
     * @param batchesPerRound batches fitted per segment (one {@code fit} call), over all workers
     */
    public List<EpochResult> train(Broadcast<RawBatch[]> train, int[] batchSizes, JavaRDD<RawBatch> test, int numClasses,
                                   int epochs, int batchesPerRound, long seed, int threadsPerTask) throws Exception {
        return train(train, batchSizes, test, numClasses, epochs, batchesPerRound, seed, threadsPerTask, 0,
                Position.START, Checkpointer.NONE);
    }

    /**
     * Trains from {@code from} (the start, or where a checkpoint left off), calling
     * {@code checkpointer} after every step. After each epoch the model is evaluated on the held-out
     * data and on the first training batches holding {@code trainEvalExamples} examples (the order
     * is shuffled: a fixed random sample; 0 for none).
     */
    public List<EpochResult> train(Broadcast<RawBatch[]> train, int[] batchSizes, JavaRDD<RawBatch> test, int numClasses,
                                   int epochs, int batchesPerRound, long seed, int threadsPerTask,
                                   int trainEvalExamples, Position from, Checkpointer checkpointer) throws Exception {
        List<Integer> sample = new ArrayList<>();
        for (int id = 0, n = 0; id < batchSizes.length && n < trainEvalExamples; n += batchSizes[id], id++) {
            sample.add(id);
        }
        Epochs run = new Epochs(new BatchById(train), new ToDataSet(threadsPerTask), batchSizes, test, numClasses,
                batchesPerRound, seed, threadsPerTask, sample);
        List<EpochResult> results = new ArrayList<>(from.done());
        sc.sc().addSparkListener(run.resultBytes);
        try (StallGuard guard = new StallGuard(sc, stallTimeoutSeconds)) {
            for (int epoch = from.epoch(); epoch <= epochs; epoch++) {
                Position start = epoch == from.epoch() ? from : new Position(epoch, 0, 0, 0, 0, results);
                results.add(run.epoch(start, guard, results, checkpointer));
            }
        } finally {
            sc.sc().removeSparkListener(run.resultBytes);
        }
        if (lastEvaluation == null) {
            lastEvaluation = evaluate(test, numClasses, threadsPerTask);   // resumed after the last epoch had ended
        }
        return results;
    }

    /**
     * Where training stands: {@code segmentsDone} steps of {@code epoch} are trained, having seen
     * {@code seen} examples in {@code seconds} with the loss sum {@code lossSum}; {@code done} are
     * the results of the epochs before.
     */
    public record Position(int epoch, int segmentsDone, long seen, double lossSum, double seconds,
                           List<EpochResult> done) {
        public static final Position START = new Position(1, 0, 0, 0, 0, List.of());
    }

    /** Called after every training step; decides itself whether to write a checkpoint. */
    @FunctionalInterface
    public interface Checkpointer {
        Checkpointer NONE = (position, segments, epochEnded) -> { };

        /**
         * @param position   the position after the step (after an epoch's last step: the next
         *                   epoch, nothing done, with the ended epoch's result in {@code done})
         * @param epochEnded whether the step ended an epoch
         */
        void after(Position position, int segments, boolean epochEnded) throws Exception;
    }

    /** What every epoch of one {@link #train} call shares. */
    private final class Epochs {
        final BatchById lookup;
        final ToDataSet toDataSet;
        final int[] batchSizes;
        final JavaRDD<RawBatch> test;
        final int numClasses;
        final int batchesPerRound;
        final long seed;
        final int threadsPerTask;
        final List<Integer> trainSample;
        final TaskResultBytes resultBytes = new TaskResultBytes();

        Epochs(BatchById lookup, ToDataSet toDataSet, int[] batchSizes, JavaRDD<RawBatch> test, int numClasses,
               int batchesPerRound, long seed, int threadsPerTask, List<Integer> trainSample) {
            this.lookup = lookup;
            this.toDataSet = toDataSet;
            this.batchSizes = batchSizes;
            this.test = test;
            this.numClasses = numClasses;
            this.batchesPerRound = batchesPerRound;
            this.seed = seed;
            this.threadsPerTask = threadsPerTask;
            this.trainSample = trainSample;
        }

        EpochResult epoch(Position from, StallGuard guard, List<EpochResult> done, Checkpointer checkpointer)
                throws Exception {
            int epoch = from.epoch();
            EpochPlan plan = EpochPlan.of(batchSizes.length, batchesPerRound, seed, epoch);
            long bytesBefore = resultBytes.total();
            long start = System.nanoTime() - (long) (from.seconds() * 1e9);
            long seen = from.seen();
            double lossSum = from.lossSum();
            for (int s = from.segmentsDone(); s < plan.segments(); s++) {
                List<Integer> ids = plan.batchesOf(s);
                JavaRDD<DataSet> segment = sc.parallelize(ids, sc.defaultParallelism()).map(lookup).map(toDataSet)
                        .persist(StorageLevel.MEMORY_ONLY());
                try {
                    guard.run("step " + (s + 1) + " of " + plan.segments() + " of epoch " + epoch,
                            () -> net.fit(segment));
                } finally {
                    segment.unpersist(false);
                }
                for (int id : ids) {
                    seen += batchSizes[id];
                }
                double loss = scoreOnDriver
                        ? net.getNetwork().score(toDataSet.call(lookup.call(ids.get(0))))
                        : net.getScore();
                lossSum += loss;
                progress.step(epoch, s + 1, plan.segments(), seen, (System.nanoTime() - start) / 1e9, loss);
                if (s + 1 < plan.segments()) {
                    checkpointer.after(new Position(epoch, s + 1, seen, lossSum, (System.nanoTime() - start) / 1e9,
                            done), plan.segments(), false);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            lastEvaluation = evaluate(test, numClasses, threadsPerTask);
            double trainAccuracy = Double.NaN;
            if (!trainSample.isEmpty()) {
                trainAccuracy = HoldoutEvaluation.run(sc, net.getNetwork(),
                        sc.parallelize(trainSample, sc.defaultParallelism()).map(lookup), numClasses, threadsPerTask,
                        Batches.EVAL_BATCH, 0).accuracy();
            }
            EpochResult r = new EpochResult(epoch, lossSum / plan.segments(), trainAccuracy, lastEvaluation.loss(),
                    lastEvaluation.accuracy(), seen, seconds, ProcessMemory.rssMb(), resultBytes.total() - bytesBefore);
            progress.epoch(r);
            List<EpochResult> withThis = new ArrayList<>(done);
            withThis.add(r);
            checkpointer.after(new Position(epoch + 1, 0, 0, 0, 0, withThis), plan.segments(), true);
            return r;
        }
    }

    /** The held-out evaluation after the last epoch trained, or {@code null} before the first. */
    public HoldoutEvaluation.Result lastEvaluation() {
        return lastEvaluation;
    }

    /** Evaluation of the current model on held-out data, keeping the {@value #MISCLASSIFIED_KEPT} surest mistakes. */
    public HoldoutEvaluation.Result evaluate(JavaRDD<RawBatch> data, int numClasses, int threadsPerTask) {
        return HoldoutEvaluation.run(sc, net.getNetwork(), data, numClasses, threadsPerTask, Batches.EVAL_BATCH,
                MISCLASSIFIED_KEPT);
    }
}
