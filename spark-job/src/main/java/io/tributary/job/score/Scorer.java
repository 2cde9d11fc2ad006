package io.tributary.job.score;

import io.tributary.common.config.InputShape;
import io.tributary.common.model.Network;
import io.tributary.job.read.ScoringRows;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;

/**
 * Scores rows with one model: its configuration (as this backend runs it fastest) and parameters
 * are broadcast once when the scorer is made, and every task scores its own partition in
 * minibatches with a network its executor built once ({@link ExecutorNetworks}). Nothing but the
 * counts of {@link Scored} comes back to the driver. Close the scorer when its output is written.
 */
public final class Scorer implements AutoCloseable {
    public static final String PREDICTION = "prediction";
    public static final String PREDICTION_LABEL = "prediction_label";
    public static final String PROBABILITY = "probability";

    private final JavaSparkContext sc;
    private final Broadcast<String> conf;
    private final Broadcast<INDArray> params;
    private final int numClasses;
    private final List<String> classNames;
    private final int threadsPerTask;

    private Scorer(JavaSparkContext sc, Broadcast<String> conf, Broadcast<INDArray> params, int numClasses,
                   List<String> classNames, int threadsPerTask) {
        this.sc = sc;
        this.conf = conf;
        this.params = params;
        this.numClasses = numClasses;
        this.classNames = classNames;
        this.threadsPerTask = threadsPerTask;
    }

    /**
     * Broadcasts {@code net} as this backend runs it ({@link Network#forBackend}).
     *
     * @param numClasses     the classes it predicts
     * @param classNames     the name of each class index, or {@code null} (no {@value #PREDICTION_LABEL} column)
     * @param threadsPerTask ND4J threads of each scoring task
     */
    public static Scorer broadcast(JavaSparkContext sc, Network net, int numClasses, List<String> classNames,
                                   int threadsPerTask) {
        if (classNames != null && classNames.size() != numClasses) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + numClasses + " classes");
        }
        Network run = net.forBackend();
        Broadcast<String> conf = sc.broadcast(run.config().toJson());
        // A copy: destroying a broadcast closes its value (an AutoCloseable), which the driver's network still uses.
        Broadcast<INDArray> params = sc.broadcast(run.params().dup());
        return new Scorer(sc, conf, params, numClasses, classNames == null ? null : List.copyOf(classNames),
                threadsPerTask);
    }

    /** The predictions and what was counted while they were computed (once the rows are written). */
    public record Scored(Dataset<Row> rows, LongAccumulator examples, LongAccumulator labelled,
                         LongAccumulator correct) {
        /** Correct predictions over labelled examples; NaN when none had a label. */
        public double accuracy() {
            return labelled.value() == 0 ? Double.NaN : (double) correct.value() / labelled.value();
        }
    }

    /** The output schema: the kept columns, {@value #PREDICTION}, [{@value #PREDICTION_LABEL}], {@value #PROBABILITY}. */
    public static StructType schema(StructType kept, boolean named) {
        StructType s = new StructType(kept.fields());
        s = s.add(PREDICTION, DataTypes.IntegerType, false);
        if (named) s = s.add(PREDICTION_LABEL, DataTypes.StringType, false);
        return s.add(PROBABILITY, DataTypes.createArrayType(DataTypes.FloatType, false), false);
    }

    /** The output's own column names, which kept columns must not take. */
    public static List<String> outputColumns() {
        return List.of(PREDICTION, PREDICTION_LABEL, PROBABILITY);
    }

    /**
     * The predictions for {@code rows} (lazy: computed when written), in batches of {@code batchSize}
     * with the features multiplied by {@code scale}. Data in fewer partitions than the cluster's
     * default parallelism is spread out first, so every core scores.
     */
    public Scored score(ScoringRows rows, float scale, int batchSize) {
        Dataset<Row> in = rows.examples().rows();
        int parallelism = sc.defaultParallelism();
        if (in.rdd().getNumPartitions() < parallelism) {
            in = in.repartition(parallelism);
        }
        InputShape shape = rows.examples().shape();
        LongAccumulator examples = sc.sc().longAccumulator("tributary.scored");
        LongAccumulator labelled = sc.sc().longAccumulator("tributary.scored-labelled");
        LongAccumulator correct = sc.sc().longAccumulator("tributary.scored-correct");
        ScorePartition.Spec spec = new ScorePartition.Spec(shape.channels(), shape.height(), shape.width(),
                rows.examples().byteFeatures(), scale, batchSize, numClasses, classNames, rows.kept().size(),
                rows.labelled(), threadsPerTask);
        StructType schema = schema(rows.kept(), classNames != null);
        Dataset<Row> out = in.mapPartitions(new ScorePartition(conf, params, spec, examples, labelled, correct),
                Encoders.row(schema));
        return new Scored(out, examples, labelled, correct);
    }

    /** Removes the broadcasts from the executors and the driver. */
    @Override
    public void close() {
        conf.destroy();
        params.destroy();
    }

    /** Names of {@code schema}'s fields, for metadata. */
    static List<String> names(StructType schema) {
        return Arrays.stream(schema.fields()).map(StructField::name).toList();
    }
}
