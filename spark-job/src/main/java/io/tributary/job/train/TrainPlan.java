package io.tributary.job.train;

import io.tributary.common.config.TrainConfig;

/**
 * What the epoch loop needs to know besides the engine: how many epochs, threads, evaluation and the
 * stall limit.
 *
 * @param epochs             epochs to train in all (a resumed run counts those already done)
 * @param threadsPerTask     ND4J threads of each task
 * @param trainEvalExamples  examples of the fixed training sample evaluated after each epoch (0: none)
 * @param numClasses         classes of the labels
 * @param stallTimeoutSeconds longest one step may train before it is cancelled; 0 for no limit
 */
public record TrainPlan(int epochs, int threadsPerTask, int trainEvalExamples, int numClasses,
                        int stallTimeoutSeconds) {

    /** The plan of a run with this config. */
    public static TrainPlan of(TrainConfig config, int threadsPerTask, int numClasses) {
        return new TrainPlan(config.epochs(), threadsPerTask, config.trainEvalExamples(), numClasses,
                config.stallTimeoutSeconds());
    }
}
