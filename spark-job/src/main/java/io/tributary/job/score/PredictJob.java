package io.tributary.job.score;

import io.tributary.common.InputException;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.ScoringKeys;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.io.OutputPlace;
import io.tributary.job.read.Batching;
import io.tributary.job.read.Classes;
import io.tributary.job.read.DataReader;
import io.tributary.job.read.DataSources;
import io.tributary.job.read.ScoringRows;
import io.tributary.job.read.TableRows;
import io.tributary.job.spark.ExecutorWait;
import io.tributary.job.spark.Nd4jThreads;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.spark.SparkContexts;
import io.tributary.job.spark.SparkRuntime;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.AtomicType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.StructField;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;

/**
 * {@code tributary predict}: reads the data as training does, scores it with a model from a file or a
 * registry ({@link Scorer}), and writes the predictions with {@link PredictionMetadata} (and, for
 * labelled data, {@link PredictionMetrics}) through a {@link PredictionOutput}. Bad input is refused before any
 * data moves where the driver can see it: an output that exists, a missing model, a registry with no
 * champion, a model that does not take the data's examples.
 */
public final class PredictJob {
    /**
     * The run's own files go to this folder of the output: Spark, Hive and Hadoop readers skip names
     * starting with an underscore, so {@code spark.read().parquet(output)} (or csv, json) reads the
     * predictions alone; a {@code metadata.json} beside the part files would be read as data.
     */
    public static final String RUN_FOLDER = "_tributary";

    private PredictJob() {
    }

    /** The formats of the output's part files. */
    public enum Format {
        PARQUET, CSV, JSON;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Format parse(String text) {
            for (Format f : values()) {
                if (f.label().equals(text)) return f;
            }
            throw new InputException("Invalid value \"" + text + "\" for --output-format: must be parquet, csv or json");
        }
    }

    /**
     * One scoring run.
     *
     * @param model      {@code --model} URI, or {@code null} with a registry
     * @param registry   {@code --registry} URI, or {@code null}
     * @param version    {@code --version} of the registry, or {@code null} for its champion
     * @param trainSplit of an IDX directory: score the train split (else the test split)
     * @param keep       input columns copied to the output
     */
    public record Plan(String model, String registry, String version, String data, DataConfig read,
                       boolean trainSplit, String output, Format format, List<String> keep, int batchSize,
                       boolean overwrite, String master) {
        public Plan {
            if ((model == null) == (registry == null)) {
                throw new InputException("Give exactly one of --model URI and --registry URI");
            }
            if (version != null && registry == null) {
                throw new InputException("--version " + version + " names a registry version; give --registry URI too");
            }
            ScoringKeys.BATCH_SIZE.check(batchSize);
            keep = List.copyOf(keep);
            // Spark resolves column names without regard to case: Prediction and prediction are one column.
            for (String k : keep) {
                for (String own : Scorer.outputColumns()) {
                    if (own.equalsIgnoreCase(k)) {
                        throw new InputException("--keep-cols " + k + " would clash with the output's own column " + own
                                + " (column names are compared without regard to case); rename it in the data");
                    }
                }
            }
            if (keep.stream().map(k -> k.toLowerCase(Locale.ROOT)).distinct().count() != keep.size()) {
                throw new InputException("--keep-cols " + String.join(",", keep) + " names a column twice (column"
                        + " names are compared without regard to case)");
            }
        }
    }

    /** What a run wrote: rows scored and, for labelled data, the accuracy (else NaN). */
    public record Result(String output, long examples, long labelled, double accuracy, ScoringModel model,
                         double seconds) {
        /** Examples scored per second of the scoring job (reading, scoring and writing the part files). */
        public double examplesPerSecond() {
            return examples / seconds;
        }
    }

    public static Result run(Plan plan) throws Exception {
        SparkConf sparkConf = SparkConfs.build("tributary-predict", plan.master());
        Configuration hadoopConf = SparkConfs.hadoopConf(sparkConf);
        HadoopFs.Location target = HadoopFs.resolve("output", plan.output(), hadoopConf);
        OutputPlace.require("output", target, inputs(plan, hadoopConf), false);
        PredictionOutput output = PredictionOutput.claim(target, plan.overwrite());
        ScoringModel model = plan.registry() != null
                ? ScoringModel.fromRegistry(plan.registry(), plan.version(), hadoopConf)
                : ScoringModel.file(plan.model(), hadoopConf);
        String what = plan.registry() != null ? "registry version " + model.version() + " (" + model.location() + ")"
                : "model " + model.location();
        // Shape and classes known from headers or flags are checked before Spark starts.
        DataReader.knownShape(plan.data(), plan.read(), hadoopConf)
                .ifPresent(shape -> model.network().outputsFor(shape, what, plan.data()));
        Map<String, Object> dataFingerprint = DataSources.fingerprint(plan.data(), hadoopConf);

        JavaSparkContext sc = SparkContexts.start(sparkConf);
        Scorer.Scored scored;
        ScoringRows rows;
        double seconds;
        try {
            ExecutorWait.await(sc);
            SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
            Classes named = model.classNames() == null ? null
                    : new Classes(model.classNames().size(), model.classNames());
            rows = DataReader.scoring(spark, plan.data(), plan.read(), plan.trainSplit(), plan.keep(), named,
                    hadoopConf, sc.sc().longAccumulator("tributary.skipped-records"));
            int classes = requireFits(model, what, rows, plan.data());
            int threads = Nd4jThreads.perTask(0, sparkConf.get("spark.master"), sparkConf.getInt("spark.task.cpus", 1));
            float scale = Batching.scale(plan.read().featureScale(), rows.examples().byteFeatures());
            try (Scorer scorer = Scorer.broadcast(sc, model.network(), classes, model.classNames(), threads)) {
                scored = scorer.score(rows, scale, plan.batchSize());
                long start = System.nanoTime();
                forFormat(scored.rows(), plan.format()).write().format(plan.format().label())
                        .option("header", "true")
                        // The run writes its own _SUCCESS, last, once its JSON files are in.
                        .option("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
                        .save(output.temporary());
                seconds = (System.nanoTime() - start) / 1e9;
            }
            if (rows.labelled()) {
                PredictionMetrics metrics = new PredictionMetrics(scored.examples().value(), seconds,
                        scored.labelled().value(), scored.accuracy());
                output.write(PredictionMetrics.FILE, Json.write(metrics.toMap()).getBytes(StandardCharsets.UTF_8));
            }
            output.write(PredictionMetadata.FILE, Json.write(metadata(plan, model, dataFingerprint, rows, scored,
                    seconds).toMap()).getBytes(StandardCharsets.UTF_8));
            output.commit();
        } catch (Exception | Error e) {
            output.abort();
            throw e;
        } finally {
            SparkRuntime.stop(sc);
        }
        return new Result(output.target().toString(), scored.examples().value(), scored.labelled().value(),
                scored.accuracy(), model, seconds);
    }

    /** What the run reads, which its output must keep apart from: the data, and the model file or the registry. */
    private static List<OutputPlace.Input> inputs(Plan plan, Configuration hadoopConf) {
        List<OutputPlace.Input> inputs = new ArrayList<>();
        if (!plan.data().startsWith(TableRows.TABLE_PREFIX)) {
            inputs.add(new OutputPlace.Input("data", HadoopFs.resolve("data", plan.data(), hadoopConf)));
        }
        inputs.add(plan.registry() != null
                ? new OutputPlace.Input("registry", HadoopFs.resolve("registry", plan.registry(), hadoopConf))
                : new OutputPlace.Input("model", HadoopFs.resolve("model", plan.model(), hadoopConf)));
        return inputs;
    }

    /** The model's class count for the data's examples; refused when the data's labels do not fit them. */
    private static int requireFits(ScoringModel model, String what, ScoringRows rows, String where) {
        int classes = model.network().outputsFor(rows.examples().shape(), what, where);
        if (rows.labelled() && rows.examples().numClasses() > classes) {
            throw new InputException(what + " predicts " + classes + " classes but the labels in " + where
                    + " go up to " + (rows.examples().numClasses() - 1));
        }
        List<String> dataNames = rows.examples().classNames();
        if (rows.labelled() && dataNames != null && model.classNames() != null && !dataNames.equals(model.classNames())) {
            throw new InputException("The labels in " + where + " are the classes " + dataNames + " but " + what
                    + " was trained on " + model.classNames() + "; the label indices would not match");
        }
        if (model.classNames() != null && model.classNames().size() != classes) {
            throw new InputException(what + " predicts " + classes + " classes but its metadata names "
                    + model.classNames().size() + " (model.class_names)");
        }
        return classes;
    }

    /** CSV holds no arrays or binary: the probabilities become {@code p0;p1;...}, other such columns text. */
    private static Dataset<Row> forFormat(Dataset<Row> rows, Format format) {
        if (format != Format.CSV) return rows;
        List<Column> columns = new ArrayList<>();
        for (StructField f : rows.schema().fields()) {
            Column c = col("`" + f.name().replace("`", "``") + "`");
            if (f.name().equals(Scorer.PROBABILITY)) {
                columns.add(concat_ws(";", c.cast("array<string>")).as(f.name()));
            } else if (!(f.dataType() instanceof AtomicType) || f.dataType() instanceof BinaryType) {
                columns.add(c.cast("string").as(f.name()));
            } else {
                columns.add(c);
            }
        }
        return rows.select(columns.toArray(new Column[0]));
    }

    private static PredictionMetadata metadata(Plan plan, ScoringModel model, Map<String, Object> dataFingerprint,
                                               ScoringRows rows, Scorer.Scored scored, double seconds) {
        Map<String, Object> read = new LinkedHashMap<>(plan.read().asMap());
        read.put("split", plan.trainSplit() ? "train" : "test");
        PredictionMetadata.Output out = new PredictionMetadata.Output(plan.format().label(),
                Scorer.names(Scorer.schema(rows.kept(), model.classNames() != null)), scored.examples().value(),
                plan.batchSize(), seconds);
        return new PredictionMetadata(Instant.now().toString(), model.describe(), dataFingerprint, read, out);
    }
}
