package io.tributary.job.train;

import io.tributary.common.data.RawBatch;
import io.tributary.common.metrics.ProcessMemory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

/**
 * The epoch loop. Each epoch visits the training batches in a new seeded order, step by step (each
 * step one {@code fit} call over whole units of the training master's work, see {@link EpochPlan}),
 * then evaluates on the held-out data and on a fixed training sample.
 */
public final class Trainer {
    /** Misclassified held-out examples reported (the ones the model was surest of). */
    public static final int MISCLASSIFIED_KEPT = 200;

    private final JavaSparkContext sc;
    private final SparkNetwork net;
    private final Progress progress;
    private final TrainPlan plan;
    private HoldoutEvaluation.Result lastEvaluation;

    public Trainer(JavaSparkContext sc, SparkNetwork net, Progress progress, TrainPlan plan) {
        this.sc = sc;
        this.net = net;
        this.progress = progress;
        this.plan = plan;
    }

    /**
     * Trains from {@code from} (the start, or where a checkpoint left off) to the plan's last epoch,
     * calling {@code checkpointer} after every step, and returns every epoch's result (those a
     * checkpoint brought along included).
     */
    public List<EpochResult> train(DistributedData data, Position from, Checkpointer checkpointer) throws Exception {
        Epochs run = new Epochs(data);
        List<EpochResult> results = new ArrayList<>(from.done());
        sc.sc().addSparkListener(run.resultBytes);
        try (StallGuard guard = new StallGuard(sc, plan.stallTimeoutSeconds())) {
            for (int epoch = from.epoch(); epoch <= plan.epochs(); epoch++) {
                Position start = epoch == from.epoch() ? from : new Position(epoch, 0, 0, 0, 0, results);
                results.add(run.epoch(start, guard, checkpointer));
            }
        } finally {
            sc.sc().removeSparkListener(run.resultBytes);
        }
        if (lastEvaluation == null) {
            lastEvaluation = evaluate(data.test());   // resumed after the last epoch had ended
        }
        return results;
    }

    /**
     * Where training stands: {@code stepsDone} steps of {@code epoch} are trained, having seen
     * {@code seen} examples in {@code seconds} with the sum of the steps' losses {@code lossSum};
     * {@code done} are the results of the epochs before.
     */
    public record Position(int epoch, int stepsDone, long seen, double lossSum, double seconds,
                           List<EpochResult> done) {
        public static final Position START = new Position(1, 0, 0, 0, 0, List.of());
    }

    /** Called after every training step; decides itself whether to write a checkpoint. */
    @FunctionalInterface
    public interface Checkpointer {
        Checkpointer NONE = (position, epochEnded) -> { };

        /**
         * @param position   the position after the step (after an epoch's last step: the next
         *                   epoch, nothing done, with the ended epoch's result in {@code done})
         * @param epochEnded whether the step ended an epoch
         */
        void after(Position position, boolean epochEnded) throws Exception;
    }

    /** The epochs of one {@link #train} call over one dataset. */
    private final class Epochs {
        final DistributedData data;
        final ToDataSet toDataSet;
        final int[] trainSample;
        final TaskResultBytes resultBytes = new TaskResultBytes();

        Epochs(DistributedData data) {
            this.data = data;
            this.toDataSet = new ToDataSet(plan.threadsPerTask());
            int[] sizes = data.batchSizes();
            int n = 0;
            int batches = 0;
            while (batches < sizes.length && n < plan.trainEvalExamples()) {
                n += sizes[batches++];   // batches are in shuffled order: a fixed random sample
            }
            this.trainSample = java.util.stream.IntStream.range(0, batches).toArray();
        }

        EpochResult epoch(Position from, StallGuard guard, Checkpointer checkpointer) throws Exception {
            int epoch = from.epoch();
            EpochPlan epochPlan = plan.epoch(epoch, data.offsets(), data.numBatches());
            Broadcast<int[]> stepOf = sc.broadcast(epochPlan.stepOfBatch());
            try {
                long bytesBefore = resultBytes.total();
                long start = System.nanoTime() - (long) (from.seconds() * 1e9);
                long seen = from.seen();
                double lossSum = from.lossSum();
                for (int s = from.stepsDone(); s < epochPlan.steps(); s++) {
                    List<Integer> numbers = epochPlan.batchesOf(s);
                    double loss = step(stepOf, s, numbers.get(0), guard,
                            "step " + (s + 1) + " of " + epochPlan.steps() + " of epoch " + epoch);
                    for (int b : numbers) {
                        seen += data.batchSizes()[b];
                    }
                    lossSum += loss;
                    double seconds = (System.nanoTime() - start) / 1e9;
                    progress.step(epoch, s + 1, epochPlan.steps(), seen, seconds, loss);
                    if (s + 1 < epochPlan.steps()) {
                        checkpointer.after(new Position(epoch, s + 1, seen, lossSum, seconds, from.done()), false);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                lastEvaluation = evaluate(data.test());
                double trainAccuracy = trainSample.length == 0 ? Double.NaN
                        : HoldoutEvaluation.run(sc, net.network(), data.train().filter(
                                new BatchFilter.Numbered(data.offsets(), trainSample)), plan.numClasses(),
                                plan.threadsPerTask(), Batches.EVAL_BATCH, 0).accuracy();
                EpochResult r = new EpochResult(epoch, lossSum / epochPlan.steps(), trainAccuracy,
                        lastEvaluation.loss(), lastEvaluation.accuracy(), seen, seconds, ProcessMemory.rssMb(),
                        resultBytes.total() - bytesBefore);
                progress.epoch(r);
                List<EpochResult> withThis = new ArrayList<>(from.done());
                withThis.add(r);
                checkpointer.after(new Position(epoch + 1, 0, 0, 0, 0, withThis), true);
                return r;
            } finally {
                stepOf.destroy();
            }
        }

        /**
         * Fits step {@code s}'s batches, where they are cached, in one step and returns the step's loss
         * (see {@link EpochResult#trainLoss}); {@code first} is the step's first batch.
         */
        double step(Broadcast<int[]> stepOf, int s, int first, StallGuard guard, String description) throws Exception {
            JavaRDD<DataSet> batches = data.train().filter(new BatchFilter.InStep(data.offsets(), stepOf, s))
                    .map(toDataSet).persist(StorageLevel.MEMORY_ONLY());
            try {
                guard.run(description, () -> net.fit(batches));
            } finally {
                batches.unpersist(false);
            }
            return plan.scoreOnDriver()
                    ? HoldoutEvaluation.run(sc, net.network(), data.train().filter(
                            new BatchFilter.Numbered(data.offsets(), new int[] {first})), plan.numClasses(),
                            plan.threadsPerTask(), Batches.EVAL_BATCH, 0).loss()
                    : net.score();
        }
    }

    /** The held-out evaluation after the last epoch trained, or {@code null} before the first. */
    public HoldoutEvaluation.Result lastEvaluation() {
        return lastEvaluation;
    }

    /** Evaluation of the current model on held-out data, keeping the {@value #MISCLASSIFIED_KEPT} surest mistakes. */
    private HoldoutEvaluation.Result evaluate(JavaRDD<RawBatch> test) {
        return HoldoutEvaluation.run(sc, net.network(), test, plan.numClasses(), plan.threadsPerTask(),
                Batches.EVAL_BATCH, MISCLASSIFIED_KEPT);
    }
}
