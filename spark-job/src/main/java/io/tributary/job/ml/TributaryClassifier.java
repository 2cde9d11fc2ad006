package io.tributary.job.ml;

import io.tributary.common.InputException;
import io.tributary.common.config.ConfigKey;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.SyncMode;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.HadoopFs;
import io.tributary.job.read.DatasetSource;
import io.tributary.job.train.TrainJob;
import io.tributary.job.train.TrainResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Spark ML Estimator for Tributary's training: {@code fit} runs the same training job as
 * {@code tributary train} (the same network sources, training masters, checkpoints and held-out
 * evaluation) on a {@code Dataset<Row>}, in the dataset's own Spark session, and gives a
 * {@link TributaryClassificationModel}. The features column holds Spark ML Vectors of
 * {@link #inputShape()} values each (C,H,W order); labels are class indices 0..K-1, as
 * {@code StringIndexer} writes them. Each training key is a parameter of the same name in camel
 * case ({@code learning-rate}: {@link #learningRate()}), with the key's default and rule.
 *
 * <p>The session needs Tributary's serializer settings ({@link io.tributary.job.spark.SessionSettings}).
 * The run's files (model, metrics, checkpoints, report) go to {@link #output()} when it is set, and
 * else to a temporary directory on the driver, deleted once the model is loaded.
 */
public final class TributaryClassifier
        extends ProbabilisticClassifier<Vector, TributaryClassifier, TributaryClassificationModel>
        implements MLWritable {
    private final String uid;
    private final Param<String> model;
    private final Param<String> hidden;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final IntParam averagingFrequency;
    private final IntParam replicas;
    private final Param<String> sync;
    private final DoubleParam learningRate;
    private final Param<String> lrSchedule;
    private final LongParam seed;
    private final Param<String> inputShape;
    private final DoubleParam featureScale;
    private final DoubleParam testFraction;
    private final Param<String> output;
    private final BooleanParam overwrite;
    private final IntParam checkpointEverySteps;
    private final IntParam checkpointEveryMinutes;
    private final IntParam checkpointsKept;
    private final BooleanParam fusedLayers;
    private final IntParam threadsPerWorker;
    private final Param<String> onBadRecord;
    /** Each parameter with the key it sets. */
    private final Map<Param<?>, ConfigKey<?>> keys = new LinkedHashMap<>();

    public TributaryClassifier() {
        this(Identifiable$.MODULE$.randomUID("tributaryClassifier"));
    }

    public TributaryClassifier(String uid) {
        this(PendingUid.hold(uid));
    }

    private TributaryClassifier(PendingUid pending) {
        this.uid = pending.take();
        model = key(KeyParams.text(this, "model", TrainKeys.MODEL), TrainKeys.MODEL);
        hidden = key(KeyParams.text(this, "hidden", TrainKeys.HIDDEN), TrainKeys.HIDDEN);
        epochs = key(KeyParams.integer(this, "epochs", TrainKeys.EPOCHS), TrainKeys.EPOCHS);
        batchSize = key(KeyParams.integer(this, "batchSize", TrainKeys.BATCH_SIZE_PER_WORKER),
                TrainKeys.BATCH_SIZE_PER_WORKER);
        averagingFrequency = key(KeyParams.integer(this, "averagingFrequency", TrainKeys.AVERAGING_FREQUENCY),
                TrainKeys.AVERAGING_FREQUENCY);
        replicas = key(KeyParams.integer(this, "replicas", TrainKeys.REPLICAS), TrainKeys.REPLICAS);
        sync = key(KeyParams.text(this, "sync", TrainKeys.SYNC), TrainKeys.SYNC);
        learningRate = key(KeyParams.real(this, "learningRate", TrainKeys.LEARNING_RATE), TrainKeys.LEARNING_RATE);
        lrSchedule = key(KeyParams.text(this, "lrSchedule", TrainKeys.LR_SCHEDULE), TrainKeys.LR_SCHEDULE);
        seed = key(KeyParams.integer64(this, "seed", TrainKeys.SEED), TrainKeys.SEED);
        inputShape = key(KeyParams.text(this, "inputShape", TrainKeys.INPUT_SHAPE), TrainKeys.INPUT_SHAPE);
        featureScale = key(KeyParams.real(this, "featureScale", TrainKeys.FEATURE_SCALE), TrainKeys.FEATURE_SCALE);
        testFraction = key(KeyParams.real(this, "testFraction", TrainKeys.TEST_FRACTION), TrainKeys.TEST_FRACTION);
        output = key(KeyParams.text(this, "output", TrainKeys.OUTPUT), TrainKeys.OUTPUT);
        overwrite = key(KeyParams.flag(this, "overwrite", TrainKeys.OVERWRITE), TrainKeys.OVERWRITE);
        checkpointEverySteps = key(KeyParams.integer(this, "checkpointEverySteps", TrainKeys.CHECKPOINT_EVERY_STEPS),
                TrainKeys.CHECKPOINT_EVERY_STEPS);
        checkpointEveryMinutes = key(KeyParams.integer(this, "checkpointEveryMinutes",
                TrainKeys.CHECKPOINT_EVERY_MINUTES), TrainKeys.CHECKPOINT_EVERY_MINUTES);
        checkpointsKept = key(KeyParams.integer(this, "checkpointsKept", TrainKeys.CHECKPOINTS_KEPT),
                TrainKeys.CHECKPOINTS_KEPT);
        fusedLayers = key(KeyParams.flag(this, "fusedLayers", TrainKeys.FUSED_LAYERS), TrainKeys.FUSED_LAYERS);
        threadsPerWorker = key(KeyParams.integer(this, "threadsPerWorker", TrainKeys.THREADS_PER_WORKER),
                TrainKeys.THREADS_PER_WORKER);
        onBadRecord = key(KeyParams.text(this, "onBadRecord", TrainKeys.ON_BAD_RECORD), TrainKeys.ON_BAD_RECORD);
    }

    /** Records the key {@code param} sets, and gives it the key's default. */
    @SuppressWarnings("unchecked")
    private <P extends Param<?>> P key(P param, ConfigKey<?> key) {
        keys.put(param, key);
        Object value = KeyParams.defaultOf(key);
        if (value != null) setDefault((Param<Object>) param, value);
        return param;
    }

    @Override
    public String uid() {
        return uid != null ? uid : PendingUid.current();
    }

    // The parameters, as Spark ML finds them: public methods without arguments that return a Param.

    public Param<String> model() { return model; }

    public Param<String> hidden() { return hidden; }

    public IntParam epochs() { return epochs; }

    public IntParam batchSize() { return batchSize; }

    public IntParam averagingFrequency() { return averagingFrequency; }
    public IntParam replicas() { return replicas; }

    public Param<String> sync() { return sync; }

    public DoubleParam learningRate() { return learningRate; }

    public Param<String> lrSchedule() { return lrSchedule; }

    public LongParam seed() { return seed; }

    public Param<String> inputShape() { return inputShape; }

    public DoubleParam featureScale() { return featureScale; }

    public DoubleParam testFraction() { return testFraction; }

    public Param<String> output() { return output; }

    public BooleanParam overwrite() { return overwrite; }

    public IntParam checkpointEverySteps() { return checkpointEverySteps; }

    public IntParam checkpointEveryMinutes() { return checkpointEveryMinutes; }

    public IntParam checkpointsKept() { return checkpointsKept; }

    public BooleanParam fusedLayers() { return fusedLayers; }

    public IntParam threadsPerWorker() { return threadsPerWorker; }

    public Param<String> onBadRecord() { return onBadRecord; }

    public TributaryClassifier setModel(String value) { return with(model, value); }

    public TributaryClassifier setHidden(String value) { return with(hidden, value); }

    public TributaryClassifier setEpochs(int value) { return with(epochs, value); }

    public TributaryClassifier setBatchSize(int value) { return with(batchSize, value); }

    public TributaryClassifier setAveragingFrequency(int value) { return with(averagingFrequency, value); }
    public TributaryClassifier setReplicas(int value) { return with(replicas, value); }

    public TributaryClassifier setSync(String value) { return with(sync, value); }

    public TributaryClassifier setLearningRate(double value) { return with(learningRate, value); }

    public TributaryClassifier setLrSchedule(String value) { return with(lrSchedule, value); }

    public TributaryClassifier setSeed(long value) { return with(seed, value); }

    public TributaryClassifier setInputShape(String value) { return with(inputShape, value); }

    public TributaryClassifier setFeatureScale(double value) { return with(featureScale, value); }

    public TributaryClassifier setTestFraction(double value) { return with(testFraction, value); }

    public TributaryClassifier setOutput(String value) { return with(output, value); }

    public TributaryClassifier setOverwrite(boolean value) { return with(overwrite, value); }

    public TributaryClassifier setCheckpointEverySteps(int value) { return with(checkpointEverySteps, value); }

    public TributaryClassifier setCheckpointEveryMinutes(int value) { return with(checkpointEveryMinutes, value); }

    public TributaryClassifier setCheckpointsKept(int value) { return with(checkpointsKept, value); }

    public TributaryClassifier setFusedLayers(boolean value) { return with(fusedLayers, value); }

    public TributaryClassifier setThreadsPerWorker(int value) { return with(threadsPerWorker, value); }

    public TributaryClassifier setOnBadRecord(String value) { return with(onBadRecord, value); }

    @SuppressWarnings("unchecked")
    private TributaryClassifier with(Param<?> param, Object value) {
        set((Param<Object>) param, value);
        return this;
    }

    /**
     * Trains on {@code dataset} (its label already cast to double by {@code fit}): the dataset is the
     * training job's data source ({@link DatasetSource}), read by executors as a table is, never
     * collected. Fits may run side by side in one session
     * ({@link RunningFits}): a fit whose {@link #output()} another running fit uses is refused.
     */
    @Override
    public TributaryClassificationModel train(Dataset<?> dataset) {
        boolean shared = TrainKeys.SYNC.parse(getOrDefault(sync)) == SyncMode.SHARED_GRADIENTS;
        try (RunningFits.Claim claim = RunningFits.claim(uid(), runDirectory(dataset), shared)) {
            return trainAlone(dataset);
        }
    }

    /** {@link #output()} fully qualified (as the training job resolves it), or {@code null} when unset. */
    private String runDirectory(Dataset<?> dataset) {
        if (!isDefined(output)) return null;
        Configuration hadoopConf = new Configuration(dataset.sparkSession().sparkContext().hadoopConfiguration());
        return HadoopFs.resolve(TrainKeys.OUTPUT.name(), getOrDefault(output), hadoopConf).toString();
    }

    /** {@link #train} once this fit holds what it must not share with another running fit. */
    private TributaryClassificationModel trainAlone(Dataset<?> dataset) {
        Path scratch = isDefined(output) ? null : scratchDirectory();
        try {
            TrainConfig config = config(dataset.toDF(), scratch);
            DatasetSource source = new DatasetSource(dataset.toDF(), uid(), config.input());
            TrainResult result = new TrainJob(config, System.out, false).inSession(dataset.sparkSession())
                    .reading(source).run();
            return copyValues(new TributaryClassificationModel(uid(), result.model().standard(),
                    result.model().outputsFor(config.input().shape(), "the trained model", uid()),
                    result.test() == null ? Double.NaN : result.test().accuracy()).setParent(this), ParamMap.empty());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Training failed: " + e.getMessage(), e);
        } finally {
            if (scratch != null) delete(scratch);
        }
    }

    /** The training job's configuration: the parameters' keys, the stage as its data's name, the label's classes. */
    private TrainConfig config(Dataset<Row> data, Path scratch) {
        if (!isDefined(inputShape)) {
            throw new InputException(uid() + ": set inputShape (C,H,W, e.g. 1,28,28): a Vector column"
                    + " does not say its examples' shape");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        keys.forEach((param, key) -> {
            if (isDefined(param)) KeyParams.put(values, key, getOrDefault(param));
        });
        values.put(TrainKeys.DATA.name(), uid());
        values.put(TrainKeys.FORMAT.name(), DataFormat.TABLE.label());
        values.put(TrainKeys.FEATURES_COL.name(), getFeaturesCol());
        values.put(TrainKeys.LABEL_COL.name(), getLabelCol());
        int classes = declaredClasses(data);
        if (classes > 0) values.put(TrainKeys.NUM_CLASSES.name(), classes);
        if (scratch != null) values.put(TrainKeys.OUTPUT.name(), scratch.resolve("run").toUri().toString());
        return TrainConfig.fromValues(values);
    }

    /** The classes the label column's metadata declares (a StringIndexer's labels), or 0 to count them. */
    private int declaredClasses(Dataset<Row> data) {
        Attribute label = Attribute.fromStructField(data.schema().apply(getLabelCol()));
        if (label instanceof NominalAttribute nominal && nominal.getNumValues().isDefined()) {
            return (Integer) nominal.getNumValues().get();
        }
        return 0;
    }

    private static Path scratchDirectory() {
        try {
            return Files.createTempDirectory("tributary-fit-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary run directory: " + e.getMessage(), e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // A leftover temporary directory is harmless; the model is already in memory.
        }
    }

    @Override
    public TributaryClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    /** Reads a saved estimator, refusing metadata that names another class (Spark's generic reader would build it). */
    public static MLReader<TributaryClassifier> read() {
        return new MLReader<>() {
            @Override
            public TributaryClassifier load(String path) {
                DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sc(),
                        TributaryClassifier.class.getName());
                TributaryClassifier c = new TributaryClassifier(metadata.uid());
                metadata.getAndSetParams(c, scala.Option.empty());
                return c;
            }
        };
    }

    public static TributaryClassifier load(String path) {
        return read().load(path);
    }

    /** The parameters that set training keys, for documentation and tests. */
    public List<String> keyParams() {
        List<String> names = new ArrayList<>();
        keys.forEach((param, key) -> names.add(param.name() + "=" + key.name()));
        return names;
    }
}
