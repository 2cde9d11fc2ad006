package io.tributary.common.config;

import java.util.ArrayList;
import java.util.List;

/** Every key of a training job, with its default, rule and documentation. File keys and long flags share these names. */
public final class TrainKeys {
    private TrainKeys() {
    }

    public static final ConfigKey<String> DATA = ConfigKey.stringKey("data", null,
            "The data (local path or Hadoop URI): an IDX directory, Parquet/ORC/CSV files or a directory of them, an image folder, or table:NAME.");
    public static final ConfigKey<DataFormat> FORMAT = ConfigKey.enumKey("format", DataFormat.AUTO, DataFormat.class,
            DataFormat::label, "How --data is stored; auto detects it from the location's content (table: --data table:NAME).");
    public static final ConfigKey<String> FEATURES_COL = ConfigKey.stringKey("features-col", null,
            "Column of the features (array of numbers, Spark ML Vector, binary bytes or Spark's image struct); by default features, else image.");
    public static final ConfigKey<String> LABEL_COL = ConfigKey.stringKey("label-col", "label",
            "Column of the labels: integers 0..K-1, or strings mapped to indices in sorted order.");
    public static final ConfigKey<String> INPUT_SHAPE = ConfigKey.shapeKey("input-shape", null,
            "Shape C,H,W of one example; required unless the data knows it (IDX headers); images are resized to it.");
    public static final ConfigKey<Integer> NUM_CLASSES = ConfigKey.intKey("num-classes", 0, 0, 1_000_000,
            "Number of classes; 0: inferred from the labels (one distributed pass).");
    public static final ConfigKey<LabelType> LABEL_TYPE = ConfigKey.enumKey("label-type", LabelType.AUTO,
            LabelType.class, LabelType::label, "What CSV labels and string label columns are: index (class indices"
                    + " 0..K-1), name (class names, numbers too), or auto: indices when every label is a number, names"
                    + " when none is; a mix is refused.");
    public static final ConfigKey<Integer> MAX_CLASSES = ConfigKey.intKey("max-classes", 10_000, 2, 1_000_000,
            "Refuse data whose labels make more classes than this (a label 29999 makes 30,000 classes); evaluation"
                    + " memory grows with the examples, not with the square of the classes.");
    public static final ConfigKey<Integer> MAX_LINE_BYTES = ConfigKey.intKey("max-line-bytes", 16 << 20, 1024,
            Integer.MAX_VALUE - 8, "Refuse a CSV file with a line longer than this many bytes (after decompression),"
                    + " on the driver and the executors alike.");
    public static final ConfigKey<Long> MAX_IMAGE_BYTES = ConfigKey.longKey("max-image-bytes", 64L << 20, 1L << 16,
            1L << 34, "Refuse an image whose decoded raster (its header's width x height x bytes per pixel) would"
                    + " take more bytes than this; an executor decodes at most a quarter of its heap at once.");
    public static final ConfigKey<Double> FEATURE_SCALE = ConfigKey.doubleKeyInclusive("feature-scale", 0.0, 0.0, 1e9,
            "Multiplier of the features; 0: 1/255 for byte pixels, 1 otherwise.");
    public static final ConfigKey<String> TEST_DATA = ConfigKey.stringKey("test-data", null,
            "Held-out data in the same format as --data; IDX data has its own t10k split.");
    public static final ConfigKey<Double> TEST_FRACTION = ConfigKey.doubleKeyInclusive("test-fraction", 0.1, 0.0, 0.9,
            "Hold out this fraction of --data for testing (a seeded, deterministic split) when there is no --test-data"
            + " and the data has no test split of its own (IDX data has t10k); 0: hold out nothing, which such data"
            + " refuses.");
    public static final ConfigKey<BadRecordPolicy> ON_BAD_RECORD = ConfigKey.enumKey("on-bad-record",
            BadRecordPolicy.FAIL, BadRecordPolicy.class, BadRecordPolicy::label,
            "A bad record (unreadable image, label out of range, NaN feature, short row) fails the run, or is skipped and counted.");
    public static final ConfigKey<CacheLevel> CACHE = ConfigKey.enumKey("cache", CacheLevel.MEMORY_AND_DISK, CacheLevel.class,
            CacheLevel::label, "Where executors keep their batches between epochs.");
    public static final ConfigKey<String> OUTPUT = ConfigKey.stringKey("output", null,
            "Run directory (local path or Hadoop URI) for model.zip, metrics.json and metadata.json.");
    public static final ConfigKey<Integer> EPOCHS = ConfigKey.intKey("epochs", 1, 1, 10_000,
            "Number of passes over the training data.");
    public static final ConfigKey<String> MODEL = ConfigKey.stringKey("model", "seed-cnn",
            "The network: a zoo name (seed-cnn, lenet5, mlp, vgg-small), a DL4J configuration .json, a Keras 2 .h5 file, or a model.zip (or run directory) to continue training; local path or Hadoop URI.");
    /** The largest size of one of mlp's hidden layers. */
    public static final int MAX_HIDDEN_SIZE = 65_536;
    /** The most hidden layers mlp may have. */
    public static final int MAX_HIDDEN_LAYERS = 100;
    public static final ConfigKey<String> HIDDEN = ConfigKey.stringKey("hidden", "256,128",
            "Sizes of mlp's hidden layers, comma-separated (1 to " + MAX_HIDDEN_LAYERS + " layers, each 1.."
                    + MAX_HIDDEN_SIZE + "); other models ignore it.");
    public static final ConfigKey<Boolean> FUSED_LAYERS = ConfigKey.booleanKey("fused-layers", true,
            "On a CPU backend, run each convolution, max-pooling and ReLU block of the model as one fused layer (same parameters, same results); false: DL4J's own layers.");
    public static final ConfigKey<String> MASTER = ConfigKey.stringKey("master", null,
            "Spark master URL; by default the one spark-submit gives, else local[*].");
    public static final ConfigKey<SyncMode> SYNC = ConfigKey.enumKey("sync", SyncMode.PARAM_AVG, SyncMode.class,
            SyncMode::label, "How workers' updates are merged: param-avg (Tributary's averaging rounds, the same model"
                    + " whatever executors run them), shared-gradients, or dl4j-param-avg (DL4J's own averaging, kept"
                    + " for benchmarks).");
    public static final ConfigKey<Integer> BATCH_SIZE_PER_WORKER = ConfigKey.intKey("batch-size-per-worker", 128, 1, 65_536,
            "Minibatch size on each worker.");
    public static final ConfigKey<Integer> AVERAGING_FREQUENCY = ConfigKey.intKey("averaging-frequency", 20, 1, 100_000,
            "Minibatches each worker fits between two parameter averagings.");
    /** The most model replicas a run may average. */
    public static final int MAX_REPLICAS = 4096;
    public static final ConfigKey<Integer> REPLICAS = ConfigKey.intKey("replicas", 0, 0, MAX_REPLICAS,
            "Model replicas averaged each round with param-avg, each fitting its own share of the data; the model"
                    + " depends on it, not on the executors that run them. 0: the executors' cores when training"
                    + " starts. Recorded in metadata.json and checkpoints; a resume keeps it.");
    public static final ConfigKey<Double> LEARNING_RATE = ConfigKey.doubleKey("learning-rate", null, 0.0, 1.0,
            "Adam learning rate (the peak of a one-cycle schedule); its default depends on --sync, as"
            + " docs/performance.md's time-to-accuracy tables support").defaultBy(SYNC, SyncMode::defaultLearningRate);
    public static final ConfigKey<LrSchedule> LR_SCHEDULE = ConfigKey.enumKey("lr-schedule", null, LrSchedule.class,
            LrSchedule::label, "How the learning rate moves: constant, or one-cycle (up from a 25th of it over the first"
                    + " 30% of the minibatch steps of all --epochs, then down along a cosine to nearly 0 at the last;"
                    + " param-avg only). A resumed run follows the cycle of its own --epochs from the step it resumes"
                    + " at.").defaultBy(SYNC, SyncMode::defaultSchedule);
    public static final ConfigKey<Long> SEED = ConfigKey.longKey("seed", 42L,
            "Seed for weight initialisation, shuffling and splitting; with param-avg, the same data, config, seed"
                    + " and replicas give the same model bytes on any master (docs/reliability.md).");
    public static final ConfigKey<Boolean> OVERWRITE = ConfigKey.booleanKey("overwrite", false,
            "Replace the model, metrics and metadata of an existing output directory.");
    public static final ConfigKey<Boolean> FORCE_UNLOCK = ConfigKey.booleanKey("force-unlock", false,
            "Break the lock a killed run left in the output directory (the lock's owner is logged).");
    public static final ConfigKey<Integer> CHECKPOINT_EVERY_STEPS = ConfigKey.intKey("checkpoint-every-steps", 0, 0, 1_000_000,
            "Checkpoint to OUTPUT/checkpoints every N training steps (a step is one averaging round; with shared gradients about a tenth of an epoch, with dl4j-param-avg at most 20 an epoch); 0: only by time and at epoch ends.")
            .formerly("checkpoint-every-rounds");
    public static final ConfigKey<Integer> CHECKPOINT_EVERY_MINUTES = ConfigKey.intKey("checkpoint-every-minutes", 10, 0, 100_000,
            "Also checkpoint when this many minutes passed since the last checkpoint; 0: never by time. Every epoch end is checkpointed.");
    public static final ConfigKey<Integer> CHECKPOINTS_KEPT = ConfigKey.intKey("checkpoints-kept", 3, 1, 1000,
            "The newest checkpoints kept; older ones are deleted.");
    public static final ConfigKey<Integer> TRAIN_EXAMPLES = ConfigKey.intKey("train-examples", 0, 0, Integer.MAX_VALUE,
            "Use only the first N training examples (0: all): an IDX file's first N; of other formats, the first N in"
                    + " the order of a hash of their content, the same whatever partitions Spark reads them in.");
    public static final ConfigKey<Integer> TEST_EXAMPLES = ConfigKey.intKey("test-examples", 0, 0, Integer.MAX_VALUE,
            "Use only the first N test examples (0: all), chosen as for train-examples.");
    public static final ConfigKey<Integer> TRAIN_EVAL_EXAMPLES = ConfigKey.intKey("train-eval-examples", 5000, 0, Integer.MAX_VALUE,
            "After each epoch, measure training accuracy on a fixed random sample of this many training examples (0: not measured).");
    public static final ConfigKey<Integer> MAX_PARAMETERS = ConfigKey.intKey("max-parameters", 100_000_000, 1, Integer.MAX_VALUE,
            "Refuse, before Spark starts, a model with more parameters than this (seed-cnn on 28x28 images has 693,962).");
    public static final ConfigKey<Integer> THREADS_PER_WORKER = ConfigKey.intKey("threads-per-worker", 0, 0, 1024,
            "ND4J threads per concurrent task (0: cores divided by the tasks that share them).");

    public static final ConfigKey<Integer> STALL_TIMEOUT = ConfigKey.intKey("stall-timeout-seconds", 1800, 0, 604_800,
            "Fail the run when one training step (one averaging round; about a tenth of an epoch with shared gradients) takes longer; 0: never.");
    public static final ConfigKey<Backend> BACKEND = ConfigKey.enumKey("backend", Backend.ANY, Backend.class,
            Backend::label, "ND4J backend every executor must have loaded (cpu, cuda), checked before training; any: no check.");

    // Shared-gradient training (sync: shared-gradients); ignored by parameter averaging.
    public static final ConfigKey<String> SHARED_CONTROLLER_ADDRESS = ConfigKey.stringKey("shared-controller-address", null,
            "Address workers reach the driver (the mesh controller) at; by default the Spark driver's host.");
    public static final ConfigKey<Integer> SHARED_PORT = ConfigKey.intKey("shared-port", 40123, 1, 65_535,
            "UDP port of the controller on the driver.");
    public static final ConfigKey<String> SHARED_WORKER_PORTS = ConfigKey.portRangeKey("shared-worker-ports", "40124-40187",
            "UDP ports workers bind, as FIRST-LAST; each worker JVM takes the first free one.");
    public static final ConfigKey<String> SHARED_NETWORK_MASK = ConfigKey.cidrKey("shared-network-mask", null,
            "Network (CIDR, e.g. 10.0.0.0/16) whose interface workers use; by default the one that reaches the controller.");
    public static final ConfigKey<Integer> SHARED_WORKERS_PER_NODE = ConfigKey.intKey("shared-workers-per-node", 1, 1, 64,
            "Model replicas per executor JVM, each fed by the executor's tasks; more than 1 only with several GPUs.");
    public static final ConfigKey<ThresholdAlgorithmKind> SHARED_THRESHOLD_ALGORITHM = ConfigKey.enumKey(
            "shared-threshold-algorithm", ThresholdAlgorithmKind.ADAPTIVE, ThresholdAlgorithmKind.class,
            ThresholdAlgorithmKind::label, "How the encoding threshold is chosen: adaptive or fixed.");
    public static final ConfigKey<Double> SHARED_INITIAL_THRESHOLD = ConfigKey.doubleKey("shared-initial-threshold", 1e-4,
            0.0, 1.0, "Encoding threshold to start from (the fixed threshold for the fixed algorithm).");
    public static final ConfigKey<Double> SHARED_MIN_SPARSITY = ConfigKey.doubleKey("shared-min-sparsity", 1e-4, 0.0, 1.0,
            "Adaptive algorithm: lowest target fraction of gradient entries sent per update.");
    public static final ConfigKey<Double> SHARED_MAX_SPARSITY = ConfigKey.doubleKey("shared-max-sparsity", 1e-2, 0.0, 1.0,
            "Adaptive algorithm: highest target fraction of gradient entries sent per update.");
    public static final ConfigKey<Double> SHARED_RESIDUAL_CLIP = ConfigKey.doubleKeyInclusive("shared-residual-clip", 5.0, 0.0, 1000.0,
            "Clip the residual (unsent gradient) to this multiple of the threshold every 5 iterations; 0 disables.");
    public static final ConfigKey<String> SHARED_AERON_DIR = ConfigKey.stringKey("shared-aeron-dir", "/dev/shm",
            "Directory for Aeron's shared-memory buffers; falls back to the temporary directory, with a warning, when it lacks room.");
    public static final ConfigKey<Integer> SHARED_CONNECT_TIMEOUT = ConfigKey.intKey("shared-connect-timeout-seconds", 60, 1, 3600,
            "How long workers may take to reach the controller before the run fails.");

    /**
     * {@link #HIDDEN}'s value as layer sizes: {@code "256,128"} is [256, 128].
     *
     * @throws ConfigException naming the key, the value and the rule when it is not 1 to
     *                         {@value #MAX_HIDDEN_LAYERS} integers, each between 1 and {@value #MAX_HIDDEN_SIZE}
     */
    public static List<Integer> hiddenSizes(String text) {
        String[] parts = text.trim().split("\\s*,\\s*", -1);
        List<Integer> sizes = new ArrayList<>();
        for (String part : parts) {
            int size = part.matches("\\d{1,6}") ? Integer.parseInt(part) : 0;
            if (size < 1 || size > MAX_HIDDEN_SIZE || parts.length > MAX_HIDDEN_LAYERS) {
                throw new ConfigException(HIDDEN.name(), "\"" + text + "\"", "must be 1 to " + MAX_HIDDEN_LAYERS
                        + " comma-separated layer sizes, each between 1 and " + MAX_HIDDEN_SIZE + ", e.g. 256,128");
            }
            sizes.add(size);
        }
        return List.copyOf(sizes);
    }

    /** How data is read: the keys every command that reads data takes (train, evaluate, retrain's holdout). */
    public static final List<ConfigKey<?>> READ_KEYS = List.of(FORMAT, FEATURES_COL, LABEL_COL, INPUT_SHAPE, NUM_CLASSES,
            LABEL_TYPE, FEATURE_SCALE, ON_BAD_RECORD, MAX_CLASSES, MAX_LINE_BYTES, MAX_IMAGE_BYTES);

    /** All keys, in documentation order. */
    public static final List<ConfigKey<?>> ALL = List.of(DATA, FORMAT, FEATURES_COL, LABEL_COL, INPUT_SHAPE,
            NUM_CLASSES, LABEL_TYPE, MAX_CLASSES, MAX_LINE_BYTES, MAX_IMAGE_BYTES, FEATURE_SCALE, TEST_DATA, TEST_FRACTION, ON_BAD_RECORD, CACHE, OUTPUT, EPOCHS, MODEL, HIDDEN, FUSED_LAYERS, MASTER, SYNC,
            BATCH_SIZE_PER_WORKER, AVERAGING_FREQUENCY, REPLICAS, LEARNING_RATE, LR_SCHEDULE, SEED, OVERWRITE, FORCE_UNLOCK, CHECKPOINT_EVERY_STEPS, CHECKPOINT_EVERY_MINUTES,
            CHECKPOINTS_KEPT, TRAIN_EXAMPLES,
            TEST_EXAMPLES, TRAIN_EVAL_EXAMPLES, MAX_PARAMETERS, THREADS_PER_WORKER, STALL_TIMEOUT, BACKEND, SHARED_CONTROLLER_ADDRESS, SHARED_PORT, SHARED_WORKER_PORTS,
            SHARED_NETWORK_MASK, SHARED_WORKERS_PER_NODE, SHARED_THRESHOLD_ALGORITHM, SHARED_INITIAL_THRESHOLD,
            SHARED_MIN_SPARSITY, SHARED_MAX_SPARSITY, SHARED_RESIDUAL_CLIP, SHARED_AERON_DIR, SHARED_CONNECT_TIMEOUT);
}
