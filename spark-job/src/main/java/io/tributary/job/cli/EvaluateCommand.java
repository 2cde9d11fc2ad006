package io.tributary.job.cli;

import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataSplit;
import io.tributary.common.config.ScoringKeys;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.model.Network;
import io.tributary.common.store.ModelStore;
import io.tributary.job.read.DataReader;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.spark.ExecutorWait;
import io.tributary.job.spark.Nd4jThreads;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.spark.SparkRuntime;
import io.tributary.job.train.HoldoutEvaluation;
import io.tributary.job.train.Trainer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
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
        Network net = ModelStore.load(HadoopFs.resolve("model", model, hadoopConf)).forBackend();

        HoldoutEvaluation.Result report;
        JavaSparkContext sc = new JavaSparkContext(sparkConf);
        try {
            sc.setLogLevel("WARN");
            ExecutorWait.await(sc);
            SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
            ExampleRows rows = DataReader.evaluation(spark, data, read, trainSplit, hadoopConf,
                    sc.sc().longAccumulator("tributary.skipped-records"));
            net.requireFits(rows.shape(), rows.numClasses(), "model " + model, data);
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

    /** Adds the flags of how data is read and of which split. */
    static final class Options implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            return KeyFlags.add(KeyFlags.add(command, TrainKeys.READ_KEYS), ScoringKeys.EVALUATE);
        }
    }
}
