package io.tributary.job.train;

import io.tributary.common.config.TrainConfig;
import io.tributary.common.data.RawBatch;
import io.tributary.common.model.Network;
import io.tributary.job.spark.SparkRuntime;
import org.apache.spark.api.java.JavaRDD;

import java.util.Map;

/**
 * How the run's sync mode trains, as the epoch loop ({@link Trainer}) drives it: each epoch as steps,
 * the model as it stands, the data the loop evaluates, and how steps are cut (recorded in every
 * checkpoint and checked when one is resumed). {@link AveragingRounds} is parameter averaging,
 * {@link Dl4jSteps} DL4J's training masters (shared gradients, and DL4J's own averaging for benchmarks).
 * Closing releases the cached data and whatever the engine started.
 */
interface SyncEngine extends AutoCloseable {
    /** What one step trained: the examples fitted and the step's training loss. */
    record Step(long examples, double loss) {
    }

    /** The engine of {@code config}'s sync mode, its data distributed and cached, training {@code net}. */
    static SyncEngine start(SparkRuntime spark, TrainConfig config, TrainingData data, Network net)
            throws InterruptedException {
        return switch (config.sync()) {
            case PARAM_AVG -> AveragingRounds.start(spark, config, data, net);
            case SHARED_GRADIENTS, DL4J_PARAM_AVG -> Dl4jSteps.start(spark, config, data, net);
        };
    }

    /** Steps in every epoch. */
    int steps();

    /** What a step is called in messages ("round", "step"). */
    String stepName();

    /** Trains step {@code s} (from 0) of {@code epoch} (from 1). */
    Step step(int epoch, int s);

    /** Called once an epoch's last step is trained. */
    void epochEnded(int epoch);

    /**
     * Where the steps since the last call spent their time ({@link RoundTimes}), and starts counting anew;
     * {@code null} where the engine does not measure it (DL4J's training masters).
     */
    default RoundTimes takeTimes() {
        return null;
    }

    /** The model as the steps so far left it. */
    Network network();

    /** The held-out batches. */
    JavaRDD<RawBatch> test();

    /** A fixed sample of about {@code n} training examples, for the training accuracy; {@code null} for 0. */
    JavaRDD<RawBatch> trainSample(int n);

    /** Training examples, each fitted once an epoch. */
    long examples();

    /** Bytes of the cached training data. */
    long cachedBytes();

    /** How steps are cut, recorded in every checkpoint. */
    Map<String, Object> layout();

    /**
     * Refuses ({@link io.tributary.common.InputException}) a checkpoint whose {@code saved} state says its
     * steps were cut otherwise: its position would not mean the same examples.
     *
     * @param midEpoch whether the checkpoint is within an epoch (at an epoch's end only the model carries over)
     */
    void requireLayout(String checkpoint, Map<String, Object> saved, boolean midEpoch);

    /** What metadata.json records of the engine, with the Spark side of the run. */
    Map<String, Object> info();

    @Override
    void close() throws Exception;
}
