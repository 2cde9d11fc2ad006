package io.tributary.job.train;

import io.tributary.common.io.JsonFields;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch measured. {@code trainLoss} is the mean of the epoch's step losses, where a step's
 * loss is, with parameter averaging, the workers' mean minibatch loss during the step (DL4J's score),
 * and with shared gradients (whose training master reports none) the loss of the driver's model on
 * the step's first batch after the step. {@code trainAccuracy} is the accuracy on a fixed sample of
 * the training data after the epoch (NaN when not measured); {@code testLoss} and
 * {@code testAccuracy} are on the held-out data. The driver's resident memory is taken at the
 * epoch's end (in local mode it includes the tasks). {@code taskResultBytes}: serialized task
 * results sent from executors to the driver during the epoch's training and evaluation. {@code rounds}:
 * where the epoch's averaging rounds spent their time ({@code null} with DL4J's training masters, and in
 * files written before it was measured).
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                          long examples, double seconds,
                          double driverRssMb, long taskResultBytes, RoundTimes rounds) {
    public double examplesPerSecond() {
        return seconds > 0 ? examples / seconds : 0.0;
    }

    /** Reads back what {@link #toMap()} wrote (for example in a checkpoint); a missing measure is refused. */
    public static EpochResult from(JsonFields f) {
        return new EpochResult((int) f.requiredWhole("epoch"), f.requiredNumber("train_loss"),
                f.number("train_accuracy"), f.number("test_loss"), f.requiredNumber("test_accuracy"),
                f.requiredWhole("examples"), f.requiredNumber("seconds"), f.requiredNumber("driver_rss_mb"),
                f.requiredWhole("task_result_bytes"), f.has("rounds") ? RoundTimes.from(f.nested("rounds")) : null);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("train_loss", trainLoss);
        m.put("train_accuracy", Double.isNaN(trainAccuracy) ? null : trainAccuracy);
        m.put("test_loss", testLoss);
        m.put("test_accuracy", testAccuracy);
        m.put("examples", examples);
        m.put("seconds", seconds);
        m.put("examples_per_second", examplesPerSecond());
        m.put("driver_rss_mb", driverRssMb);
        m.put("task_result_bytes", taskResultBytes);
        if (rounds != null) {
            m.put("rounds", rounds.toMap());
        }
        return m;
    }
}
