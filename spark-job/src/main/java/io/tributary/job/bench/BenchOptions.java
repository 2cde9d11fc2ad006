package io.tributary.job.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What a benchmark run measures: the data, batch sizes, repeats, the master of the Tributary runs
 * and the learning settings, and where the peer's results and the JSON output are.
 *
 * @param trainExamples      training examples (0: all)
 * @param averagingFrequency averaging frequency of the Tributary runs (0: train's default)
 * @param peerFile           torch_peer.py output lines of this sitting, or {@code null}
 * @param json               where to write the results as JSON too, or {@code null}
 * @param learningRate       Adam's learning rate of single-process DL4J (0: {@link SingleProcess#CONSTANT_RATE})
 * @param targets            the held-out accuracies a time-to-accuracy run trains towards
 */
public record BenchOptions(String data, List<Integer> batchSizes, int repeats, int trainExamples, String master,
                           int averagingFrequency, Path peerFile, Path json, int epochs, double learningRate,
                           List<Double> targets) {
    public BenchOptions {
        batchSizes = List.copyOf(batchSizes);
        targets = targets == null ? List.of() : List.copyOf(targets);
    }
}
