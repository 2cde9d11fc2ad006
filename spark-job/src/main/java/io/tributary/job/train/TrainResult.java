package io.tributary.job.train;

import io.tributary.common.model.Network;

import java.util.List;

/**
 * The outcome of a training run, as published to its output directory, and the trained network.
 * {@code wallSeconds} is this process's time from the job's start to publishing; the epochs'
 * training time (see {@link #trainSeconds}) includes, in a resumed run, the time trained before.
 */
public record TrainResult(String output, List<EpochResult> epochs, HoldoutEvaluation.Result test,
                          double wallSeconds, long trainExamplesPerEpoch, Network model,
                          Footprint footprint) {
    /**
     * What reading the data cost before training could start.
     *
     * @param secondsToFirstStep the job's time from its start to its first training step: checks,
     *                           Spark's start, reading, batching and caching the data
     * @param cachedBatchBytes   bytes of training batches the executors keep (memory and disk), all
     *                           executors together
     */
    public record Footprint(double secondsToFirstStep, long cachedBatchBytes) {
    }

    /** Training time of all epochs, evaluation excluded. */
    public double trainSeconds() {
        return epochs.stream().mapToDouble(EpochResult::seconds).sum();
    }

    public double examplesPerSecond() {
        double seconds = trainSeconds();
        return seconds > 0 ? trainExamplesPerEpoch * epochs.size() / seconds : 0.0;
    }
}
