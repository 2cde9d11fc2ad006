package io.tributary.job.cli;

import io.tributary.common.InputException;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataSplit;
import io.tributary.common.config.ScoringKeys;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.Json;
import io.tributary.common.model.Network;
import io.tributary.job.read.Classes;
import io.tributary.job.read.DataReader;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.score.ScoringModel;
import io.tributary.job.spark.ExecutorWait;
import io.tributary.job.spark.Nd4jThreads;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.spark.SparkContexts;
import io.tributary.job.spark.SparkRuntime;
import io.tributary.job.train.HoldoutEvaluation;
import io.tributary.job.train.Trainer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tributary evaluate}: distributed evaluation of a saved model; prints a JSON report. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = EvaluateCommand.Options.class,
        description = "Evaluates a saved model on held-out data (an IDX directory's test split, or any format train"
                + " reads) and prints accuracy, per-class precision/recall/F1, the confusion matrix, the mean loss and"
                + " the misclassified examples it was surest of, as JSON.")
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "URI", description = "model.zip, or a run directory holding one.")
    String model;
    @Option(names = "--data", required = true, paramLabel = "DIR_OR_URI",
            description = "The data: an IDX directory, Parquet/ORC/CSV files, an image folder, or table:NAME.")
    String data;
    @Option(names = "--master", paramLabel = "URL", description = "Spark master; default: spark-submit's, else local[*].")
    String master;
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DataSplit split = ScoringKeys.SPLIT.valueIn(KeyFlags.given(spec, ScoringKeys.EVALUATE));
        boolean trainSplit = split == DataSplit.TRAIN;
        DataConfig read = DataConfig.from(KeyFlags.given(spec, TrainKeys.READ_KEYS));
        SparkConf sparkConf = SparkConfs.build("tributary-evaluate", master);
        Configuration hadoopConf = SparkConfs.hadoopConf(sparkConf);
        ScoringModel saved = ScoringModel.file(model, hadoopConf);   // the network and its class names
        Network net = saved.network().forBackend();

        HoldoutEvaluation.Result report;
        JavaSparkContext sc = SparkContexts.start(sparkConf);
        try {
            ExecutorWait.await(sc);
            SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
            ExampleRows rows = rowsInTheModelsClasses(spark, net, saved.classNames(), read, trainSplit, hadoopConf,
                    sc.sc().longAccumulator("tributary.skipped-records"));
            int threads = Nd4jThreads.perTask(0, sparkConf.get("spark.master"), sparkConf.getInt("spark.task.cpus", 1));
            report = HoldoutEvaluation.run(sc, net, rows, read.featureScale(), threads, Trainer.MISCLASSIFIED_KEPT);
        } finally {
            SparkRuntime.stop(sc);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("data", data);
        out.put("split", split.label());
        out.putAll(report.toMap());
        System.out.println(Json.write(out));
        return TributaryCli.EXIT_OK;
    }

    /**
     * The data as the model's classes: read as its own first; where its classes are not the model's (a
     * class the data lacks, or one the model has never seen), read again as held-out data of the model's
     * classes, which labels them by the model's indices or refuses a class it has never seen. A model
     * saved without class names is evaluated on data labelled by names only when they are as many.
     */
    private ExampleRows rowsInTheModelsClasses(SparkSession spark, Network net, List<String> modelNames, DataConfig read,
                                   boolean trainSplit, Configuration hadoopConf, LongAccumulator skipped) {
        ExampleRows rows = DataReader.evaluation(spark, data, read, trainSplit, null, hadoopConf, skipped);
        int outputs = net.outputsFor(rows.shape(), "model " + model, data);
        if (modelNames == null && rows.classNames() != null) {
            net.requireFits(rows.shape(), rows.numClasses(), "model " + model, data);
            return rows;
        }
        if (modelNames != null && modelNames.size() != outputs) {
            throw new InputException("Model " + model + " predicts " + outputs + " classes but its metadata names "
                    + modelNames.size() + " (model.class_names)");
        }
        Classes classes = new Classes(outputs, modelNames);
        return classes.equals(rows.classes()) ? rows
                : DataReader.evaluation(spark, data, read, trainSplit, classes, hadoopConf, skipped);
    }

    /** Adds the flags of how data is read and of which split. */
    static final class Options implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            return KeyFlags.add(KeyFlags.add(command, TrainKeys.READ_KEYS), ScoringKeys.EVALUATE);
        }
    }
}
