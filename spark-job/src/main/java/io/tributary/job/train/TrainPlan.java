package io.tributary.job.train;

import io.tributary.common.config.SyncMode;
import io.tributary.common.config.TrainConfig;

/**
 * What the epoch loop needs to know besides the data: how many epochs, how batches are grouped into
 * steps, the seed of the per-epoch order, threads, evaluation and the stall limit.
 *
 * @param epochs             epochs to train in all (a resumed run counts those already done)
 * @param batchesPerUnit     the training master's unit of work, in batches over all workers; steps are
 *                           whole units ({@link TrainingMasters#batchesPerUnit})
 * @param seed               seed of each epoch's batch order
 * @param threadsPerTask     ND4J threads of each task
 * @param trainEvalExamples  examples of the fixed training sample evaluated after each epoch (0: none)
 * @param numClasses         classes of the labels
 * @param scoreOnDriver      whether a step's loss is computed by the driver's model (shared gradients:
 *                           the training master reports none) rather than taken from the training master
 * @param stallTimeoutSeconds longest one step may train before it is cancelled; 0 for no limit
 */
public record TrainPlan(int epochs, int batchesPerUnit, long seed, int threadsPerTask, int trainEvalExamples,
                        int numClasses, boolean scoreOnDriver, int stallTimeoutSeconds) {

    /** The plan of a run with this config, on {@code workers} workers, over {@code numBatches} training batches. */
    public static TrainPlan of(TrainConfig config, int workers, int threadsPerTask, int numBatches, int numClasses) {
        return new TrainPlan(config.epochs(), TrainingMasters.batchesPerUnit(config, workers, numBatches),
                config.seed(), threadsPerTask, config.trainEvalExamples(), numClasses,
                config.sync() == SyncMode.SHARED_GRADIENTS, config.stallTimeoutSeconds());
    }

    /** How epoch {@code epoch}'s batches are visited ({@code offsets}: each partition's first batch number). */
    EpochPlan epoch(int epoch, int[] offsets, int numBatches) {
        // Shared gradients keep one seeded order over all batches: their training master balances
        // each step itself, and with steps dealt per partition DL4J's shared-training wrapper hung
        // (a worker waiting for a master loop already ended) in two of three test runs with few
        // batches a step, which the global order had not done.
        return scoreOnDriver ? EpochPlan.global(numBatches, batchesPerUnit, seed, epoch)
                : EpochPlan.of(offsets, numBatches, batchesPerUnit, seed, epoch);
    }
}
