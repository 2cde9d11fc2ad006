package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.SyncMode;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.data.MnistData;
import io.tributary.common.data.MnistDirectory;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.io.RunOutput;
import io.tributary.common.model.ModelFiles;
import io.tributary.common.model.ModelZoo;
import io.tributary.job.report.RunReport;
import io.tributary.job.spark.BackendCheck;
import io.tributary.job.spark.BackendReport;
import io.tributary.job.spark.ExecutorWait;
import io.tributary.job.spark.Nd4jThreads;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.spark.TributaryPlugin;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training run, phase by phase: check the output and read the data (before Spark starts, so bad
 * input fails fast), build the network, start Spark and cache the data, train, publish.
 */
public final class TrainJob {
    private static final Logger log = LoggerFactory.getLogger(TrainJob.class);

    private final TrainConfig config;
    private final PrintStream progressOut;
    private final boolean liveProgress;
    private final boolean resume;
    private INDArray initialParameters;
    private String initialParametersFrom;
    private String extraFile;
    private AfterTraining afterTraining;

    /** Work done with the trained model while Spark is still up; its result is published with the run. */
    @FunctionalInterface
    public interface AfterTraining {
        Map<String, Object> run(JavaSparkContext sc, MultiLayerNetwork model, int threadsPerTask) throws Exception;
    }

    public TrainJob(TrainConfig config, PrintStream progressOut, boolean liveProgress) {
        this(config, progressOut, liveProgress, false);
    }

    /** @param resume continue from the newest valid checkpoint in the output directory */
    public TrainJob(TrainConfig config, PrintStream progressOut, boolean liveProgress, boolean resume) {
        this.config = config;
        this.progressOut = progressOut;
        this.liveProgress = liveProgress;
        this.resume = resume;
    }

    /**
     * Starts from these parameters instead of a fresh initialisation (a warm start); {@code from}
     * names where they came from in errors.
     */
    public TrainJob startingFrom(INDArray parameters, String from) {
        this.initialParameters = parameters;
        this.initialParametersFrom = from;
        return this;
    }

    /** Runs {@code work} after training and publishes what it returns as {@code fileName} (JSON) with the run. */
    public TrainJob afterTraining(String fileName, AfterTraining work) {
        this.extraFile = fileName;
        this.afterTraining = work;
        return this;
    }

    public TrainResult run() throws Exception {
        long wallStart = System.nanoTime();
        SparkConf sparkConf = SparkConfs.build("tributary-train", config.master());
        if (config.sync() == SyncMode.SHARED_GRADIENTS) {
            // Executors apply the Aeron settings when they start (TributaryPlugin), before Aeron's classes load.
            sparkConf.set(TributaryPlugin.AERON_DIR_CONF, config.shared().aeronDir());
        }
        TrainConfig resolved = config.withMaster(sparkConf.get("spark.master"));
        Configuration hadoopConf = SparkConfs.hadoopConf(sparkConf);

        MnistDirectory dataDir = new MnistDirectory(HadoopFs.resolve("data", resolved.data(), hadoopConf));
        HadoopFs.Location outLocation = HadoopFs.resolve("output", resolved.output(), hadoopConf);
        // Fail on an existing output before any work is done.
        RunOutput output = RunOutput.claim(outLocation, resolved.overwrite() || resume, resolved.forceUnlock());
        CheckpointStore checkpoints = new CheckpointStore(outLocation);
        try {
            if (!resume) {
                checkpoints.clear();   // an overwritten run's checkpoints must not be resumed or kept
            }
            MnistData train = dataDir.read(MnistDirectory.Split.TRAIN).head(resolved.trainExamples());
            MnistData test = dataDir.read(MnistDirectory.Split.TEST).head(resolved.testExamples());
            if (train.rows() != test.rows() || train.cols() != test.cols()) {
                throw new InputException("Training images are " + train.rows() + "x" + train.cols()
                        + " but test images are " + test.rows() + "x" + test.cols() + " in " + dataDir.location()
                        + "; both splits must have the same image size");
            }
            Map<String, Object> fingerprint = dataDir.fingerprint();
            ModelZoo.InputShape shape = new ModelZoo.InputShape(train.rows(), train.cols(), 1, train.numClasses());
            MultiLayerConfiguration netConf = ModelZoo.build(resolved.model(), shape, resolved.learningRate(),
                    resolved.seed());

            TrainResult result;
            Map<String, Object> extra = null;
            Map<String, Object> sparkInfo;
            MultiLayerNetwork model;
            try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
                sc.setLogLevel("WARN");
                ExecutorWait.await(sc);
                BackendCheck.Result backends = BackendCheck.run(sc);
                BackendCheck.require(resolved.backend(), backends);
                backends.executors().forEach(b -> log.info("ND4J: {}", b.line()));
                int taskCpus = sparkConf.getInt("spark.task.cpus", 1);
                int threads = resolved.sync() == SyncMode.SHARED_GRADIENTS
                        ? Nd4jThreads.perReplica(resolved.threadsPerWorker(), resolved.master(),
                                sparkConf.getInt("spark.executor.cores", taskCpus), resolved.shared().workersPerNode())
                        : Nd4jThreads.perTask(resolved.threadsPerWorker(), resolved.master(), taskCpus);
                Nd4jThreads.ensure(threads);
                int workers = sc.defaultParallelism();
                log.info("Training {} on {} ({} workers, {} ND4J threads per task)", resolved.model(),
                        resolved.master(), workers, threads);

                List<RawBatch> trainBatches = Batches.of(train, resolved.batchSizePerWorker(), resolved.seed());
                int[] batchSizes = trainBatches.stream().mapToInt(RawBatch::count).toArray();
                Broadcast<RawBatch[]> trainData = sc.broadcast(trainBatches.toArray(new RawBatch[0]));
                JavaRDD<RawBatch> testRdd = Batches.rdd(sc, test).persist(StorageLevel.MEMORY_ONLY());

                MultiLayerNetwork net = new MultiLayerNetwork(netConf);
                net.init();
                if (initialParameters != null) {
                    if (initialParameters.length() != net.numParams()) {
                        throw new InputException("Cannot warm-start from " + initialParametersFrom + ": it has "
                                + initialParameters.length() + " parameters but " + resolved.model() + " for "
                                + shape.rows() + "x" + shape.cols() + " images with " + shape.numClasses()
                                + " classes has " + net.numParams() + "; train from scratch instead");
                    }
                    net.setParams(initialParameters.castTo(net.params().dataType()));
                }
                int batchesPerSegment = TrainingMasters.batchesPerSegment(resolved, workers, batchSizes.length);
                Trainer.Position from = Trainer.Position.START;
                if (resume) {
                    CheckpointStore.Loaded ck = checkpoints.newestValid(m -> progressOut.println("tributary: " + m));
                    from = Checkpointing.resume(ck, net, batchesPerSegment, batchSizes.length);
                    progressOut.printf("tributary: resuming from checkpoint %s (epoch %d, %d steps done)%n",
                            ck.name(), from.epoch(), from.segmentsDone());
                }
                List<EpochResult> epochs;
                Trainer trainer;
                SparkDl4jMultiLayer sparkNet;
                Map<String, Object> syncInfo;
                try (TrainingMasters.Prepared master = TrainingMasters.create(sc, resolved)) {
                    sparkNet = new SparkDl4jMultiLayer(sc, net, master.master());
                    trainer = new Trainer(sc, sparkNet, new Progress(progressOut, liveProgress, resolved.epochs()),
                            resolved.sync() == SyncMode.SHARED_GRADIENTS, resolved.stallTimeoutSeconds());
                    SparkDl4jMultiLayer trained = sparkNet;
                    epochs = trainer.train(trainData, batchSizes, testRdd, train.numClasses(), resolved.epochs(),
                            batchesPerSegment, resolved.seed(), threads, resolved.trainEvalExamples(), from,
                            new Checkpointing(checkpoints,
                                    resolved, trained::getNetwork, batchesPerSegment, batchSizes.length));
                    syncInfo = master.info();
                }
                double trainSeconds = epochs.stream().mapToDouble(EpochResult::seconds).sum();
                model = sparkNet.getNetwork();
                result = new TrainResult(outLocation.toString(), epochs, trainer.lastEvaluation(), trainSeconds,
                        (System.nanoTime() - wallStart) / 1e9, train.count(), model);
                sparkInfo = new LinkedHashMap<>();
                sparkInfo.put("master", resolved.master());
                sparkInfo.put("application_id", sc.sc().applicationId());
                sparkInfo.put("workers", workers);
                sparkInfo.put("nd4j_threads_per_task", threads);
                sparkInfo.put("version", sc.version());
                sparkInfo.put("sync", resolved.sync().label());
                sparkInfo.put("nd4j_executors", backends.executors().stream().map(BackendReport::toMap).toList());
                if (!syncInfo.isEmpty()) sparkInfo.put("shared_gradients", syncInfo);
                trainData.destroy();
                testRdd.unpersist(false);
                if (afterTraining != null) {
                    extra = afterTraining.run(sc, model, threads);
                }
            }
            if (extra != null) {
                byte[] json = Json.write(extra).getBytes(StandardCharsets.UTF_8);
                output.write(extraFile, out -> out.write(json));
            }
            publish(output, resolved, result, model, fingerprint, sparkInfo, shape);
            output.finish();
            return new TrainResult(result.output(), result.epochs(), result.test(), result.trainSeconds(),
                    (System.nanoTime() - wallStart) / 1e9, result.trainExamplesPerEpoch(), model);
        } catch (Throwable t) {
            output.abort();
            throw t;
        }
    }

    private void publish(RunOutput output, TrainConfig config, TrainResult result, MultiLayerNetwork model,
                                Map<String, Object> fingerprint, Map<String, Object> sparkInfo,
                                ModelZoo.InputShape shape) throws Exception {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("test_accuracy", result.test().accuracy());
        metrics.put("train_loss", result.epochs().get(result.epochs().size() - 1).trainLoss());
        metrics.put("examples_per_second", result.examplesPerSecond());
        metrics.put("train_seconds", result.trainSeconds());
        metrics.put("wall_seconds", result.wallSeconds());
        metrics.put("epochs", result.epochs().stream().map(EpochResult::toMap).toList());
        metrics.put("test", result.test().toMap());
        metrics.put("confusion_matrix", result.test().report().confusion());

        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("created", Instant.now().toString());
        metadata.put("config", config.asMap());
        Map<String, Object> modelInfo = new LinkedHashMap<>();
        modelInfo.put("name", config.model());
        modelInfo.put("parameters", model.numParams());
        modelInfo.put("input", Map.of("rows", shape.rows(), "cols", shape.cols(), "channels", shape.channels()));
        modelInfo.put("classes", shape.numClasses());
        modelInfo.put("format", "DL4J ModelSerializer zip with updater state");
        metadata.put("model", modelInfo);
        metadata.put("data", fingerprint);
        metadata.put("spark", sparkInfo);
        metadata.put("nd4j_backend", Nd4j.getBackend().getClass().getName());
        metadata.put("libraries", BuildInfo.libraries(String.valueOf(sparkInfo.get("version"))));
        metadata.put("git_revision", BuildInfo.gitRevision());

        output.write("metrics.json", out -> out.write(Json.write(metrics).getBytes(StandardCharsets.UTF_8)));
        output.write("metadata.json", out -> out.write(Json.write(metadata).getBytes(StandardCharsets.UTF_8)));
        output.write(RunReport.FILE, out -> out.write(RunReport.bytes(metrics, metadata)));
        // The model goes last: its presence means the run completed.
        output.write(ModelFiles.MODEL_FILE, out -> ModelSerializer.writeModel(model, out, true));
    }
}
