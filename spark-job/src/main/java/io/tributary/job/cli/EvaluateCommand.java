package io.tributary.job.cli;

import io.tributary.common.InputException;
import io.tributary.common.data.MnistData;
import io.tributary.common.data.MnistDirectory;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.store.ModelStore;
import io.tributary.job.spark.ExecutorWait;
import io.tributary.job.spark.Nd4jThreads;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.train.Batches;
import io.tributary.job.train.HoldoutEvaluation;
import io.tributary.job.train.Trainer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tributary evaluate}: distributed evaluation of a saved model; prints a JSON report. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluates a saved model on MNIST-format data and prints accuracy, per-class precision/recall/F1 "
                + "and the confusion matrix, the mean loss and the misclassified examples it was surest of, as JSON.")
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "URI", description = "model.zip, or a run directory holding one.")
    String model;
    @Option(names = "--data", required = true, paramLabel = "DIR_OR_URI", description = "Directory holding MNIST-format IDX files.")
    String data;
    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT", description = "test (t10k files, default) or train.")
    String split;
    @Option(names = "--master", paramLabel = "URL", description = "Spark master; default: spark-submit's, else local[*].")
    String master;
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        MnistDirectory.Split which = switch (split) {
            case "test" -> MnistDirectory.Split.TEST;
            case "train" -> MnistDirectory.Split.TRAIN;
            default -> throw new InputException("Invalid value \"" + split + "\" for --split: must be test or train");
        };
        SparkConf sparkConf = SparkConfs.build("tributary-evaluate", master);
        Configuration hadoopConf = SparkConfs.hadoopConf(sparkConf);
        MultiLayerNetwork net = ModelStore.load(HadoopFs.resolve("model", model, hadoopConf));
        MnistDirectory dir = new MnistDirectory(HadoopFs.resolve("data", data, hadoopConf));
        MnistData examples = dir.read(which);
        HoldoutEvaluation.requireFits(net, examples.rows(), examples.cols(), examples.numClasses(), "model " + model, data);

        HoldoutEvaluation.Result report;
        try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
            sc.setLogLevel("WARN");
            ExecutorWait.await(sc);
            int threads = Nd4jThreads.perTask(0, sparkConf.get("spark.master"), sparkConf.getInt("spark.task.cpus", 1));
            report = HoldoutEvaluation.run(sc, net, Batches.rdd(sc, examples), examples.numClasses(), threads,
                    Batches.EVAL_BATCH, Trainer.MISCLASSIFIED_KEPT);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("data", dir.location().toString());
        out.put("split", split);
        out.putAll(report.toMap());
        System.out.println(Json.write(out));
        return TributaryCli.EXIT_OK;
    }

}
