package io.tributary.job.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/** The outcome of a training run, as published to its output directory, and the trained network. */
public record TrainResult(String output, List<EpochResult> epochs, HoldoutEvaluation.Result test, double trainSeconds,
                          double wallSeconds, long trainExamplesPerEpoch, MultiLayerNetwork model) {
    public double examplesPerSecond() {
        return trainSeconds > 0 ? trainExamplesPerEpoch * epochs.size() / trainSeconds : 0.0;
    }
}
