package io.tributary.job.bench;

import io.tributary.common.config.TrainKeys;
import io.tributary.common.data.IdxData;

import java.util.List;
import java.util.Locale;

/**
 * Single-process DL4J's side of the time-to-accuracy table: one line per epoch and run with the
 * training seconds so far (evaluation excluded) and the held-out accuracy, until the highest target
 * is reached or the epochs end; {@code deploy/bench/time-to-accuracy.sh} makes the table.
 */
public final class SingleProcessTimeToAccuracy {
    private SingleProcessTimeToAccuracy() {
    }

    public static void run(BenchOptions options, IdxData train, IdxData test, int cores) {
        double highest = options.targets().stream().mapToDouble(Double::doubleValue).max().orElse(1.0);
        double rate = options.learningRate() > 0 ? options.learningRate() : SingleProcess.CONSTANT_RATE;
        for (int batch : options.batchSizes()) {
            for (int r = 1; r <= options.repeats(); r++) {
                List<SingleProcess.Run> runs = SingleProcess.train(train, test, TrainKeys.MODEL.defaultValue(), batch,
                        rate, TrainKeys.SEED.defaultValue(), cores, options.epochs(), accuracy -> accuracy >= highest);
                for (int e = 0; e < runs.size(); e++) {
                    System.out.printf(Locale.ROOT, "time-to-accuracy run=single batch=%d learning_rate=%s repeat=%d"
                            + " epoch=%d seconds=%.2f test_accuracy=%.4f%n", batch, rate, r, e + 1,
                            runs.get(e).seconds(), runs.get(e).testAccuracy());
                }
            }
        }
    }
}
