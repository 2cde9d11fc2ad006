package io.tributary.common.config;

import io.tributary.common.model.ModelZoo;

import java.util.List;

/** Every key of a training job, with its default, rule and documentation. File keys and long flags share these names. */
public final class TrainKeys {
    private TrainKeys() {
    }

    public static final ConfigKey<String> DATA = ConfigKey.stringKey("data", null,
            "Directory (local path or Hadoop URI) holding MNIST-format IDX files.");
    public static final ConfigKey<String> OUTPUT = ConfigKey.stringKey("output", null,
            "Run directory (local path or Hadoop URI) for model.zip, metrics.json and metadata.json.");
    public static final ConfigKey<Integer> EPOCHS = ConfigKey.intKey("epochs", 1, 1, 10_000,
            "Number of passes over the training data.");
    public static final ConfigKey<String> MODEL = ConfigKey.choiceKey("model", ModelZoo.SEED_CNN, ModelZoo.names(),
            "Network architecture from the model zoo.");
    public static final ConfigKey<String> MASTER = ConfigKey.stringKey("master", null,
            "Spark master URL; by default the one spark-submit gives, else local[*].");
    public static final ConfigKey<SyncMode> SYNC = ConfigKey.enumKey("sync", SyncMode.PARAM_AVG, SyncMode.class,
            SyncMode::label, "How workers' updates are merged.");
    public static final ConfigKey<Integer> BATCH_SIZE_PER_WORKER = ConfigKey.intKey("batch-size-per-worker", 128, 1, 65_536,
            "Minibatch size on each worker.");
    public static final ConfigKey<Integer> AVERAGING_FREQUENCY = ConfigKey.intKey("averaging-frequency", 5, 1, 100_000,
            "Minibatches each worker fits between two parameter averagings.");
    public static final ConfigKey<Double> LEARNING_RATE = ConfigKey.doubleKey("learning-rate", 1e-3, 0.0, 1.0,
            "Adam learning rate.");
    public static final ConfigKey<Long> SEED = ConfigKey.longKey("seed", 42L,
            "Seed for weight initialisation, shuffling and splitting; fixes a local[1] run.");
    public static final ConfigKey<Boolean> OVERWRITE = ConfigKey.booleanKey("overwrite", false,
            "Replace the model, metrics and metadata of an existing output directory.");
    public static final ConfigKey<Integer> TRAIN_EXAMPLES = ConfigKey.intKey("train-examples", 0, 0, Integer.MAX_VALUE,
            "Use only the first N training examples (0: all).");
    public static final ConfigKey<Integer> TEST_EXAMPLES = ConfigKey.intKey("test-examples", 0, 0, Integer.MAX_VALUE,
            "Use only the first N test examples (0: all).");
    public static final ConfigKey<Integer> THREADS_PER_WORKER = ConfigKey.intKey("threads-per-worker", 0, 0, 1024,
            "ND4J threads per concurrent task (0: cores divided by the tasks that share them).");

    /** All keys, in documentation order. */
    public static final List<ConfigKey<?>> ALL = List.of(DATA, OUTPUT, EPOCHS, MODEL, MASTER, SYNC,
            BATCH_SIZE_PER_WORKER, AVERAGING_FREQUENCY, LEARNING_RATE, SEED, OVERWRITE, TRAIN_EXAMPLES,
            TEST_EXAMPLES, THREADS_PER_WORKER);
}
