package io.tributary.common.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.tributary.common.config.TrainKeys.*;

/**
 * The resolved, validated configuration of one training job. Built from a config file and flags by
 * {@link ConfigLoader}; every value is checked here, at construction, against the rule of its {@link ConfigKey}.
 *
 * @param hidden the sizes of mlp's hidden layers (see {@link TrainKeys#HIDDEN})
 * @param fusedLayers run convolution blocks as one fused layer on CPUs (see {@link TrainKeys#FUSED_LAYERS})
 * @param master Spark master URL, or {@code null} to take the one spark-submit set (else {@code local[*]})
 * @param shared settings of shared-gradient training, used when {@code sync} is shared-gradients
 * @param input  how the data is read (format, columns, shape, held-out data, caching)
 */
public record TrainConfig(
        String data,
        String output,
        int epochs,
        String model,
        List<Integer> hidden,
        boolean fusedLayers,
        String master,
        SyncMode sync,
        int batchSizePerWorker,
        int averagingFrequency,
        int replicas,
        double learningRate,
        LrSchedule lrSchedule,
        long seed,
        boolean overwrite,
        boolean forceUnlock,
        int checkpointEverySteps,
        int checkpointEveryMinutes,
        int checkpointsKept,
        int trainExamples,
        int testExamples,
        int trainEvalExamples,
        int maxParameters,
        int threadsPerWorker,
        int stallTimeoutSeconds,
        Backend backend,
        SharedGradientsConfig shared,
        DataConfig input) implements Serializable {

    public TrainConfig {
        DATA.check(data);
        OUTPUT.check(output);
        EPOCHS.check(epochs);
        MODEL.check(model);
        hidden = hiddenSizes(HIDDEN.check(hidden == null ? null : hiddenText(hidden)));
        if (master != null) {
            MASTER.check(master);
        }
        SYNC.check(sync);
        BATCH_SIZE_PER_WORKER.check(batchSizePerWorker);
        AVERAGING_FREQUENCY.check(averagingFrequency);
        REPLICAS.check(replicas);
        LEARNING_RATE.check(learningRate);
        LR_SCHEDULE.check(lrSchedule);
        if (lrSchedule != LrSchedule.CONSTANT && sync != SyncMode.PARAM_AVG) {
            throw new ConfigException(LR_SCHEDULE.name(), lrSchedule.label(), "must be constant with sync " + sync.label()
                    + ": only param-avg's averaging rounds count the minibatch steps a schedule spans");
        }
        TRAIN_EXAMPLES.check(trainExamples);
        TEST_EXAMPLES.check(testExamples);
        TRAIN_EVAL_EXAMPLES.check(trainEvalExamples);
        MAX_PARAMETERS.check(maxParameters);
        THREADS_PER_WORKER.check(threadsPerWorker);
        CHECKPOINT_EVERY_STEPS.check(checkpointEverySteps);
        CHECKPOINT_EVERY_MINUTES.check(checkpointEveryMinutes);
        CHECKPOINTS_KEPT.check(checkpointsKept);
        STALL_TIMEOUT.check(stallTimeoutSeconds);
        BACKEND.check(backend);
        if (shared == null) {
            throw new ConfigException("Missing shared-gradient settings");
        }
        if (input == null) {
            throw new ConfigException("Missing data settings");
        }
    }

    /** Builds a config from key/value pairs (already merged: defaults, file, flags); unknown keys are rejected earlier. */
    public static TrainConfig fromValues(Map<String, ?> values) {
        return new TrainConfig(
                DATA.valueIn(values),
                OUTPUT.valueIn(values),
                EPOCHS.valueIn(values),
                MODEL.valueIn(values),
                hiddenSizes(HIDDEN.valueIn(values)),
                FUSED_LAYERS.valueIn(values),
                MASTER.optionalIn(values),
                SYNC.valueIn(values),
                BATCH_SIZE_PER_WORKER.valueIn(values),
                AVERAGING_FREQUENCY.valueIn(values),
                REPLICAS.valueIn(values),
                LEARNING_RATE.valueIn(values),
                LR_SCHEDULE.valueIn(values),
                SEED.valueIn(values),
                OVERWRITE.valueIn(values),
                FORCE_UNLOCK.valueIn(values),
                CHECKPOINT_EVERY_STEPS.valueIn(values),
                CHECKPOINT_EVERY_MINUTES.valueIn(values),
                CHECKPOINTS_KEPT.valueIn(values),
                TRAIN_EXAMPLES.valueIn(values),
                TEST_EXAMPLES.valueIn(values),
                TRAIN_EVAL_EXAMPLES.valueIn(values),
                MAX_PARAMETERS.valueIn(values),
                THREADS_PER_WORKER.valueIn(values),
                STALL_TIMEOUT.valueIn(values),
                BACKEND.valueIn(values),
                new SharedGradientsConfig(
                        SHARED_CONTROLLER_ADDRESS.optionalIn(values),
                        SHARED_PORT.valueIn(values),
                        SHARED_WORKER_PORTS.valueIn(values),
                        SHARED_NETWORK_MASK.optionalIn(values),
                        SHARED_WORKERS_PER_NODE.valueIn(values),
                        SHARED_THRESHOLD_ALGORITHM.valueIn(values),
                        SHARED_INITIAL_THRESHOLD.valueIn(values),
                        SHARED_MIN_SPARSITY.valueIn(values),
                        SHARED_MAX_SPARSITY.valueIn(values),
                        SHARED_RESIDUAL_CLIP.valueIn(values),
                        SHARED_AERON_DIR.valueIn(values),
                        SHARED_CONNECT_TIMEOUT.valueIn(values)),
                DataConfig.from(values));
    }


    /** The config as key/value pairs with the file keys' names, for metadata and logs. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(DATA.name(), data);
        m.put(OUTPUT.name(), output);
        m.put(EPOCHS.name(), epochs);
        m.put(MODEL.name(), model);
        m.put(HIDDEN.name(), hiddenText(hidden));
        m.put(FUSED_LAYERS.name(), fusedLayers);
        m.put(MASTER.name(), master);
        m.put(SYNC.name(), sync.label());
        m.put(BATCH_SIZE_PER_WORKER.name(), batchSizePerWorker);
        m.put(AVERAGING_FREQUENCY.name(), averagingFrequency);
        m.put(REPLICAS.name(), replicas);
        m.put(LEARNING_RATE.name(), learningRate);
        m.put(LR_SCHEDULE.name(), lrSchedule.label());
        m.put(SEED.name(), seed);
        m.put(OVERWRITE.name(), overwrite);
        m.put(FORCE_UNLOCK.name(), forceUnlock);
        m.put(CHECKPOINT_EVERY_STEPS.name(), checkpointEverySteps);
        m.put(CHECKPOINT_EVERY_MINUTES.name(), checkpointEveryMinutes);
        m.put(CHECKPOINTS_KEPT.name(), checkpointsKept);
        m.put(TRAIN_EXAMPLES.name(), trainExamples);
        m.put(TEST_EXAMPLES.name(), testExamples);
        m.put(TRAIN_EVAL_EXAMPLES.name(), trainEvalExamples);
        m.put(MAX_PARAMETERS.name(), maxParameters);
        m.put(THREADS_PER_WORKER.name(), threadsPerWorker);
        m.put(STALL_TIMEOUT.name(), stallTimeoutSeconds);
        m.put(BACKEND.name(), backend.label());
        m.putAll(shared.asMap());
        m.putAll(input.asMap());
        return m;
    }

    /** Layer sizes as {@link TrainKeys#HIDDEN} writes them: [256, 128] is {@code "256,128"}. */
    private static String hiddenText(List<Integer> sizes) {
        return sizes.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** A copy with the Spark master the job actually runs on. */
    public TrainConfig withMaster(String resolvedMaster) {
        return with(output, resolvedMaster, replicas);
    }

    /** A copy writing to another output directory. */
    public TrainConfig withOutput(String newOutput) {
        return with(newOutput, master, replicas);
    }

    /** A copy with the number of replicas the run averages (what {@code replicas: 0} resolved to). */
    public TrainConfig withReplicas(int resolvedReplicas) {
        return with(output, master, resolvedReplicas);
    }

    private TrainConfig with(String newOutput, String newMaster, int newReplicas) {
        return new TrainConfig(data, newOutput, epochs, model, hidden, fusedLayers, newMaster, sync, batchSizePerWorker,
                averagingFrequency, newReplicas, learningRate, lrSchedule, seed, overwrite, forceUnlock, checkpointEverySteps,
                checkpointEveryMinutes, checkpointsKept, trainExamples, testExamples, trainEvalExamples,
                maxParameters, threadsPerWorker, stallTimeoutSeconds, backend, shared, input);
    }
}
