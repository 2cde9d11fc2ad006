package io.tributary.job.bench;

import io.tributary.common.config.InputShape;
import io.tributary.common.data.DataSets;
import io.tributary.common.data.IdxData;
import io.tributary.common.data.RawBatch;
import io.tributary.common.model.ModelZoo;
import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import io.tributary.job.spark.Nd4jThreads;
import io.tributary.job.train.Batches;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.DoublePredicate;

/** The baseline without Spark: the same network, data order and batch size, fitted in one process. */
public final class SingleProcess {
    /**
     * Adam's rate of single-process runs unless a bench is told another: the constant rate that reached the
     * target accuracies soonest (docs/performance.md, "How the defaults were chosen"); a single process
     * trains without train's one-cycle schedule.
     */
    public static final double CONSTANT_RATE = 3e-3;

    private SingleProcess() {
    }

    /** Result of one run (or its epochs so far): training throughput, held-out accuracy and training seconds. */
    public record Run(double examplesPerSecond, double testAccuracy, double seconds) {
    }

    public static Run train(IdxData train, IdxData test, String model, int batchSize, double learningRate,
                            long seed, int threads) {
        return train(train, test, model, batchSize, learningRate, seed, threads, 1).get(0);
    }

    /**
     * Trains {@code epochs} epochs, visiting the batches in a new seeded order each epoch; returns, per
     * epoch, the throughput so far and the held-out accuracy after it (evaluation time not counted).
     */
    public static List<Run> train(IdxData train, IdxData test, String model, int batchSize, double learningRate,
                                  long seed, int threads, int epochs) {
        return train(train, test, model, batchSize, learningRate, seed, threads, epochs, accuracy -> false);
    }

    /** As {@link #train(IdxData, IdxData, String, int, double, long, int, int)}, ending early after the
     *  first epoch whose held-out accuracy {@code stop} accepts. */
    public static List<Run> train(IdxData train, IdxData test, String model, int batchSize, double learningRate,
                                  long seed, int threads, int epochs, DoublePredicate stop) {
        Nd4jThreads.ensure(threads);
        InputShape shape = new InputShape(1, train.rows(), train.cols());
        Network net = NetworkConfig.of(ModelZoo.build(model, shape, train.numClasses(), learningRate, seed))
                .forBackend().init(null);
        List<DataSet> batches = new ArrayList<>();
        for (RawBatch b : Batches.of(train, batchSize, seed)) {
            batches.add(DataSets.toDataSet(b));
        }
        List<Run> runs = new ArrayList<>();
        double seconds = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            if (epoch > 1) {
                Collections.shuffle(batches, new Random(seed + epoch));
            }
            long start = System.nanoTime();
            for (DataSet ds : batches) {
                net.fit(ds);
            }
            seconds += (System.nanoTime() - start) / 1e9;
            Evaluation eval = new Evaluation(train.numClasses());
            for (RawBatch b : Batches.of(test, Batches.EVAL_BATCH, null)) {
                DataSet ds = DataSets.toDataSet(b);
                eval.eval(ds.getLabels(), net.output(ds.getFeatures()));
            }
            runs.add(new Run((long) train.count() * epoch / seconds, eval.accuracy(), seconds));
            if (stop.test(eval.accuracy())) {
                break;
            }
        }
        return runs;
    }
}
