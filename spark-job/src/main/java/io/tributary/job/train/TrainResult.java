package io.tributary.job.train;

import io.tributary.common.metrics.ClassificationReport;

import java.util.List;

/** The outcome of a training run, as published to its output directory. */
public record TrainResult(String output, List<EpochResult> epochs, ClassificationReport test, double trainSeconds,
                          double wallSeconds, long trainExamplesPerEpoch) {
    public double examplesPerSecond() {
        return trainSeconds > 0 ? trainExamplesPerEpoch * epochs.size() / trainSeconds : 0.0;
    }
}
