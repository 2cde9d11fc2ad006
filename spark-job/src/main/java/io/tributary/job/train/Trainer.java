package io.tributary.job.train;

import io.tributary.common.data.RawBatch;
import io.tributary.common.metrics.ProcessMemory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The epoch loop. Each epoch is trained step by step by the sync mode's {@link SyncEngine} (a step is an
 * averaging round, or one {@code fit} of DL4J's training master), each step bounded by the stall timeout,
 * followed by progress and a possible checkpoint; after each epoch the model is evaluated on the
 * held-out data and on a fixed training sample.
 */
public final class Trainer {
    /** Misclassified held-out examples reported (the ones the model was surest of). */
    public static final int MISCLASSIFIED_KEPT = 200;

    private final JavaSparkContext sc;
    private final SyncEngine engine;
    private final Progress progress;
    private final TrainPlan plan;
    private final TaskResultBytes resultBytes;
    private HoldoutEvaluation.Result lastEvaluation;

    Trainer(JavaSparkContext sc, SyncEngine engine, Progress progress, TrainPlan plan) {
        this.sc = sc;
        this.engine = engine;
        this.progress = progress;
        this.plan = plan;
        this.resultBytes = new TaskResultBytes(RunJobGroup.current(sc));
    }

    /**
     * Trains from {@code from} (the start, or where a checkpoint left off) to the plan's last epoch,
     * calling {@code checkpointer} after every step, and returns every epoch's result (those a
     * checkpoint brought along included).
     */
    public List<EpochResult> train(Position from, Checkpointer checkpointer) throws Exception {
        List<EpochResult> results = new ArrayList<>(from.done());
        JavaRDD<RawBatch> trainSample = engine.trainSample(plan.trainEvalExamples());
        sc.sc().addSparkListener(resultBytes);
        try (StallGuard guard = new StallGuard(sc, plan.stallTimeoutSeconds())) {
            for (int epoch = from.epoch(); epoch <= plan.epochs(); epoch++) {
                Position start = epoch == from.epoch() ? from : new Position(epoch, 0, 0, 0, 0, results);
                results.add(epoch(start, guard, checkpointer, trainSample));
            }
        } finally {
            sc.sc().removeSparkListener(resultBytes);
        }
        if (lastEvaluation == null) {
            lastEvaluation = evaluate(engine.test());   // resumed after the last epoch had ended
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

    private EpochResult epoch(Position from, StallGuard guard, Checkpointer checkpointer,
                              JavaRDD<RawBatch> trainSample) throws Exception {
        int epoch = from.epoch();
        int steps = engine.steps();
        long bytesBefore = resultBytes.total();
        long start = System.nanoTime() - (long) (from.seconds() * 1e9);
        long seen = from.seen();
        double lossSum = from.lossSum();
        for (int s = from.stepsDone(); s < steps; s++) {
            int step = s;
            SyncEngine.Step[] trained = new SyncEngine.Step[1];
            guard.run(engine.stepName() + " " + (s + 1) + " of " + steps + " of epoch " + epoch,
                    () -> trained[0] = engine.step(epoch, step));
            seen += trained[0].examples();
            lossSum += trained[0].loss();
            double seconds = (System.nanoTime() - start) / 1e9;
            progress.step(epoch, s + 1, steps, seen, seconds, trained[0].loss());
            if (s + 1 < steps) {
                checkpointer.after(new Position(epoch, s + 1, seen, lossSum, seconds, from.done()), false);
            }
        }
        engine.epochEnded(epoch);
        double seconds = (System.nanoTime() - start) / 1e9;
        RoundTimes rounds = engine.takeTimes();
        lastEvaluation = evaluate(engine.test());
        double trainAccuracy = trainSample == null ? Double.NaN
                : HoldoutEvaluation.run(sc, engine.network(), trainSample, plan.numClasses(), plan.threadsPerTask(),
                        Batches.EVAL_BATCH, 0).accuracy();
        EpochResult r = new EpochResult(epoch, lossSum / steps, trainAccuracy, lastEvaluation.loss(),
                lastEvaluation.accuracy(), seen, seconds, ProcessMemory.rssMb(), resultBytes.total() - bytesBefore, rounds);
        progress.epoch(r);
        List<EpochResult> withThis = new ArrayList<>(from.done());
        withThis.add(r);
        checkpointer.after(new Position(epoch + 1, 0, 0, 0, 0, withThis), true);
        return r;
    }

    /** The held-out evaluation after the last epoch trained, or {@code null} before the first. */
    public HoldoutEvaluation.Result lastEvaluation() {
        return lastEvaluation;
    }

    /** Evaluation of the current model on held-out data, keeping the {@value #MISCLASSIFIED_KEPT} surest mistakes. */
    private HoldoutEvaluation.Result evaluate(JavaRDD<RawBatch> test) {
        return HoldoutEvaluation.run(sc, engine.network(), test, plan.numClasses(), plan.threadsPerTask(),
                Batches.EVAL_BATCH, MISCLASSIFIED_KEPT);
    }
}
