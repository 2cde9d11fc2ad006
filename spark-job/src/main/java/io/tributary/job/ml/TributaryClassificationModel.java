package io.tributary.job.ml;

import io.tributary.common.InputException;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.ScoringKeys;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.data.DataSets;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.io.OutputPlace;
import io.tributary.common.model.Network;
import io.tributary.common.store.ModelStore;
import io.tributary.job.read.Batching;
import io.tributary.job.read.DatasetSource;
import io.tributary.job.read.ScoringRows;
import io.tributary.job.score.Scorer;
import io.tributary.job.spark.Nd4jThreads;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.factory.Nd4j;
import scala.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.ml.functions.array_to_vector;
import static org.apache.spark.sql.functions.col;

/**
 * A trained Tributary network as a Spark ML Transformer. {@code transform} scores as
 * {@code tributary predict} does (the dataset read by the one data reader, the network broadcast
 * once, each executor scoring its partitions in minibatches with a network it built once) and adds
 * {@code prediction} (the class index, a double), {@code probability} (the network's softmax output,
 * a Vector) and {@code rawPrediction} (the same Vector: the network's output is already a
 * distribution) to the dataset's columns. Labels in the dataset are ignored.
 *
 * <p>{@code write().save(path)} writes Spark ML's parameter metadata and the network as a
 * {@value ModelStore#MODEL_FILE} (through {@link ModelStore}, which {@link #load} reads back: no Java
 * deserialization) to any Hadoop filesystem.
 */
public final class TributaryClassificationModel
        extends ProbabilisticClassificationModel<Vector, TributaryClassificationModel> implements MLWritable {
    /** The model's own data within a saved model's directory. */
    static final String DATA = "data";

    private final String uid;
    private final Network network;
    private final int numClasses;
    private final double heldOutAccuracy;
    private final Param<String> inputShape;
    private final DoubleParam featureScale;
    private final IntParam scoringBatchSize;
    /** The network as the driver runs it, for {@link #predictRaw}; built when first needed. */
    private transient Network driverNetwork;

    TributaryClassificationModel(String uid, Network network, int numClasses, double heldOutAccuracy) {
        this(PendingUid.hold(uid), network, numClasses, heldOutAccuracy);
    }

    private TributaryClassificationModel(PendingUid pending, Network network, int numClasses, double heldOutAccuracy) {
        this.uid = pending.take();
        this.network = network;
        this.numClasses = numClasses;
        this.heldOutAccuracy = heldOutAccuracy;
        inputShape = KeyParams.text(this, "inputShape", TrainKeys.INPUT_SHAPE);
        featureScale = KeyParams.real(this, "featureScale", TrainKeys.FEATURE_SCALE);
        // Not "batchSize": fit copies the estimator's parameters by name, and the training batch is another matter.
        scoringBatchSize = new IntParam(this, "scoringBatchSize", "Examples scored at once on an executor (as"
                + " tributary predict's --batch-size).", ParamValidators.inRange(1, ScoringKeys.MAX_BATCH_SIZE));
        setDefault(featureScale, (Object) TrainKeys.FEATURE_SCALE.defaultValue());
        setDefault(scoringBatchSize, (Object) ScoringKeys.BATCH_SIZE.defaultValue());
    }

    @Override
    public String uid() {
        return uid != null ? uid : PendingUid.current();
    }

    public Param<String> inputShape() { return inputShape; }

    public DoubleParam featureScale() { return featureScale; }

    public IntParam scoringBatchSize() { return scoringBatchSize; }

    public TributaryClassificationModel setInputShape(String value) {
        set(inputShape, value);
        return this;
    }

    public TributaryClassificationModel setFeatureScale(double value) {
        set(featureScale, (Object) value);
        return this;
    }

    public TributaryClassificationModel setScoringBatchSize(int value) {
        set(scoringBatchSize, (Object) value);
        return this;
    }

    /** The trained network (DL4J's standard layers). */
    public Network network() {
        return network;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int numFeatures() {
        return shape().size();
    }

    /** Accuracy on the data held out while training (its last epoch's evaluation); NaN when unknown. */
    public double heldOutAccuracy() {
        return heldOutAccuracy;
    }

    private InputShape shape() {
        return InputShape.parse(getOrDefault(inputShape));
    }

    /**
     * Scores {@code dataset} on the executors; its rows keep every column, in order, followed by the
     * output columns whose names are set ({@code predictionCol}, {@code probabilityCol},
     * {@code rawPredictionCol}).
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        if (isSet(thresholds())) {
            throw new IllegalArgumentException(uid() + ": thresholds are not supported; the prediction is the class"
                    + " of highest probability");
        }
        StructType outSchema = transformSchema(dataset.schema(), true);
        Dataset<Row> in = dataset.toDF();
        SparkSession spark = in.sparkSession();
        List<String> columns = List.of(in.columns());
        // Read where it lies, as a table is: executors compute the dataset's rows; nothing is collected.
        ScoringRows rows = new DatasetSource(in, uid(), readConfig()).scoring(spark, columns, null,
                spark.sparkContext().longAccumulator("tributary.skipped-records"));
        network.outputsFor(rows.examples().shape(), uid(), "the dataset's column " + getFeaturesCol());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int threads = Nd4jThreads.perTask(0, sc.master(), sc.getConf().getInt("spark.task.cpus", 1));
        // The broadcast lives as long as the rows that use it; Spark's cleaner removes it after them.
        Scorer scorer = Scorer.broadcast(sc, network, numClasses, null, threads);
        float scale = Batching.scale((Double) getOrDefault(featureScale), rows.examples().byteFeatures());
        Scorer.Scored scored = scorer.score(rows, scale, (Integer) getOrDefault(scoringBatchSize));
        // The scorer's columns by position: an input column may have any name, even one of the scorer's.
        List<String> names = new ArrayList<>(columns);
        names.add("prediction_" + uid());
        names.add("probability_" + uid());
        Dataset<Row> out = scored.rows().toDF(names.toArray(new String[0]));
        List<Column> select = new ArrayList<>();
        for (String c : columns) select.add(col("`" + c.replace("`", "``") + "`"));
        Column probability = array_to_vector(col("`probability_" + uid() + "`").cast("array<double>"));
        if (!getPredictionCol().isEmpty()) {
            select.add(col("`prediction_" + uid() + "`").cast("double").as(getPredictionCol(),
                    outSchema.apply(getPredictionCol()).metadata()));
        }
        if (!getProbabilityCol().isEmpty()) select.add(probability.as(getProbabilityCol()));
        if (!getRawPredictionCol().isEmpty()) select.add(probability.as(getRawPredictionCol()));
        return out.select(select.toArray(new Column[0]));
    }

    /** How the dataset is read: the model's feature column, shape and scale, and no labels. */
    private DataConfig readConfig() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(TrainKeys.FORMAT.name(), DataFormat.TABLE.label());
        values.put(TrainKeys.FEATURES_COL.name(), getFeaturesCol());
        values.put(TrainKeys.INPUT_SHAPE.name(), getOrDefault(inputShape));
        values.put(TrainKeys.NUM_CLASSES.name(), numClasses);
        values.put(TrainKeys.FEATURE_SCALE.name(), (Double) getOrDefault(featureScale));
        return DataConfig.from(values).withoutLabels();
    }

    /** One example's class probabilities, on the driver (Spark ML's single-row API; {@link #transform} batches). */
    @Override
    public Vector predictRaw(Vector features) {
        InputShape s = shape();
        if (features.size() != s.size()) {
            throw new InputException(uid() + " takes " + s.size() + " features (" + s + "), not " + features.size());
        }
        float scale = Batching.scale((Double) getOrDefault(featureScale), false);
        float[] values = new float[s.size()];
        double[] dense = features.toArray();
        for (int i = 0; i < values.length; i++) values[i] = (float) dense[i] * scale;
        float[] p;
        synchronized (network) {
            if (driverNetwork == null) driverNetwork = network.forBackend();
            p = driverNetwork.output(Nd4j.create(values, new long[] {1, s.channels(), s.height(), s.width()}))
                    .toFloatVector();
        }
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) out[i] = p[i];
        return Vectors.dense(out);
    }

    /** The raw prediction is already the network's softmax distribution. */
    @Override
    public Vector raw2probabilityInPlace(Vector rawPrediction) {
        return rawPrediction;
    }

    @Override
    public double raw2prediction(Vector rawPrediction) {
        float[] p = new float[rawPrediction.size()];
        for (int i = 0; i < p.length; i++) p[i] = (float) rawPrediction.apply(i);
        return DataSets.predictedClass(p);
    }

    /** Spark ML's summary support, which two superclasses declare alike. */
    @Override
    @SuppressWarnings("rawtypes")
    public scala.Tuple3 findSummaryModel() {
        return super.findSummaryModel();
    }

    @Override
    public TributaryClassificationModel copy(ParamMap extra) {
        TributaryClassificationModel copy = new TributaryClassificationModel(uid, network, numClasses, heldOutAccuracy);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    public static MLReader<TributaryClassificationModel> read() {
        return new Reader();
    }

    public static TributaryClassificationModel load(String path) {
        return read().load(path);
    }

    /**
     * The model's {@value #DATA} directory under {@code path}, qualified as Spark's writers qualify it
     * (a path without a scheme is on the default filesystem, as the metadata Spark writes beside it).
     */
    static HadoopFs.Location dataOf(String path, SparkContext sc) {
        return at(path, sc).child(DATA);
    }

    /** {@code path} qualified as Spark's writers qualify it. */
    private static HadoopFs.Location at(String path, SparkContext sc) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        try {
            FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
            return new HadoopFs.Location(fs, fs.makeQualified(p));
        } catch (IOException e) {
            throw new InputException("Cannot reach " + path + ": " + HadoopFs.describe(e));
        }
    }

    /** Spark ML's metadata (the parameters), then {@code data/}: the network's zip and a summary. */
    private static final class Writer extends MLWriter {
        private final TributaryClassificationModel model;

        Writer(TributaryClassificationModel model) {
            this.model = model;
        }

        /**
         * Refuses a path that is, holds or lies inside the fit's run directory or a directory a running
         * job holds, before Spark's writer deletes an existing one ({@code overwrite()}).
         */
        @Override
        public void save(String path) throws IOException {
            HadoopFs.Location target = at(path, sc());
            List<OutputPlace.Input> inputs = new ArrayList<>();
            if (model.parent() instanceof TributaryClassifier fit && fit.isDefined(fit.output())) {
                inputs.add(new OutputPlace.Input("output", HadoopFs.resolve("output", fit.getOrDefault(fit.output()),
                        sc().hadoopConfiguration())));
            }
            OutputPlace.require("path", target, inputs, false);
            super.save(path);
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
            HadoopFs.Location data = dataOf(path, sc());
            SavedModelSummary summary = new SavedModelSummary(model.numClasses, model.heldOutAccuracy);
            try {
                data.fs().mkdirs(data.path());
                HadoopFs.replace(data.fs(), data.child(ModelStore.MODEL_FILE).path(),
                        out -> ModelStore.write(model.network, out));
                HadoopFs.replace(data.fs(), data.child(SavedModelSummary.FILE).path(),
                        out -> out.write(Json.write(summary.toMap()).getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new InputException("Cannot write the model to " + data + ": " + HadoopFs.describe(e));
            }
        }
    }

    private static final class Reader extends MLReader<TributaryClassificationModel> {
        @Override
        public TributaryClassificationModel load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sc(),
                    TributaryClassificationModel.class.getName());
            HadoopFs.Location data = dataOf(path, sc());
            SavedModelSummary summary = SavedModelSummary.read(data);
            Network net = ModelStore.load(data.child(ModelStore.MODEL_FILE));
            TributaryClassificationModel model = new TributaryClassificationModel(metadata.uid(), net,
                    summary.numClasses(), summary.heldOutAccuracy());
            metadata.getAndSetParams(model, Option.empty());
            int outputs = net.outputsFor(model.shape(), "the network in " + data, path);
            if (outputs != model.numClasses) {
                throw new InputException("The network in " + data + " predicts " + outputs + " classes but "
                        + data.child(SavedModelSummary.FILE) + " says num_classes " + model.numClasses);
            }
            return model;
        }
    }
}
