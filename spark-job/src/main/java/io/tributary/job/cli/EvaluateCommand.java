package io.tributary.job.cli;

import io.tributary.common.InputException;
import io.tributary.common.data.DataSets;
import io.tributary.common.data.MnistData;
import io.tributary.common.data.MnistDirectory;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.metrics.ClassificationReport;
import io.tributary.common.model.ModelFiles;
import io.tributary.job.spark.ExecutorWait;
import io.tributary.job.spark.Nd4jThreads;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.train.Batches;
import io.tributary.job.train.Trainer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tributary evaluate}: distributed evaluation of a saved model; prints a JSON report. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluates a saved model on MNIST-format data and prints accuracy, per-class precision/recall/F1 "
                + "and the confusion matrix as JSON.")
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
        MultiLayerNetwork net = ModelFiles.load(HadoopFs.resolve("model", model, hadoopConf));
        MnistDirectory dir = new MnistDirectory(HadoopFs.resolve("data", data, hadoopConf));
        MnistData examples = dir.read(which);
        checkFits(net, examples);

        ClassificationReport report;
        try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
            sc.setLogLevel("WARN");
            ExecutorWait.await(sc);
            int threads = Nd4jThreads.perTask(0, sparkConf.get("spark.master"), sparkConf.getInt("spark.task.cpus", 1));
            JavaRDD<DataSet> rdd = Batches.rdd(sc, examples, threads);
            report = Trainer.evaluate(new SparkDl4jMultiLayer(sc, net, null), rdd, examples.numClasses(),
                    Batches.EVAL_BATCH);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("data", dir.location().toString());
        out.put("split", split);
        out.putAll(report.toMap());
        System.out.println(Json.write(out));
        return TributaryCli.EXIT_OK;
    }

    /** Images of the wrong size for the model get a clear error, not a failure deep inside a Spark task. */
    private void checkFits(MultiLayerNetwork net, MnistData examples) {
        DataSet one = DataSets.toDataSet(examples.pixels(), examples.labels(), 0, 1, examples.rows(), examples.cols(),
                examples.numClasses());
        long outputs;
        try {
            outputs = net.output(one.getFeatures()).size(1);
        } catch (RuntimeException e) {
            throw new InputException("Images in " + data + " are " + examples.rows() + "x" + examples.cols()
                    + " pixels, which model " + model + " does not accept: " + e.getMessage());
        }
        if (outputs != examples.numClasses()) {
            throw new InputException("Model " + model + " predicts " + outputs + " classes but the data in " + data
                    + " has " + examples.numClasses());
        }
    }
}
