package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.SyncMode;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.OutputPlace;
import io.tributary.common.io.RunOutput;
import io.tributary.common.model.Network;
import io.tributary.common.store.ModelSource;
import io.tributary.job.read.Classes;
import io.tributary.job.read.DataSource;
import io.tributary.job.read.DataSources;
import io.tributary.job.read.TableRows;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.spark.SparkRuntime;
import io.tributary.job.spark.TributaryPlugin;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One training run, phase by phase: claim the output, read the data and build the network (before
 * Spark starts, so bad input fails fast), start Spark, train (with checkpoints and an evaluation
 * after every epoch), publish. {@link #run} reads as that list; each phase is a method or a class of
 * its own.
 */
public final class TrainJob {
    /** Spark's wait for a task's preferred executor before it runs elsewhere. */
    private static final String LOCALITY_WAIT = "spark.locality.wait";
    private final TrainConfig config;
    private final PrintStream progressOut;
    private final boolean liveProgress;
    private final boolean resume;
    private Network warmStart;
    private String warmStartName;
    private String extraFile;
    private AfterTraining afterTraining;
    private ModelSource model;
    private SparkSession session;
    private DataSource source;

    /**
     * Work done with the trained model while Spark is still up; its result is published with the run.
     * {@code classes} are the training data's, which held-out data is read as.
     */
    @FunctionalInterface
    public interface AfterTraining {
        Map<String, Object> run(JavaSparkContext sc, Network model, Classes classes, int threadsPerTask)
                throws Exception;
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
    public TrainJob startingFrom(Network network, String from) {
        this.warmStart = network;
        this.warmStartName = from;
        return this;
    }

    /** Trains the network {@code model} has already read (it was checked before the caller wrote anything). */
    public TrainJob using(ModelSource model) {
        this.model = model;
        return this;
    }

    /**
     * Trains in {@code session}, which the caller started and keeps running (a Spark ML {@code fit}),
     * instead of starting Spark for the run; its master and Hadoop settings are the run's.
     */
    public TrainJob inSession(SparkSession session) {
        this.session = session;
        return this;
    }

    /**
     * Trains on {@code data} (a dataset handed over in memory, {@code DatasetSource}) instead of the
     * data the config names; the config's data then only names it in messages and the run's metadata.
     */
    public TrainJob reading(DataSource data) {
        this.source = data;
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
        SparkConf sparkConf = session != null ? session.sparkContext().getConf() : sparkConf();
        TrainConfig resolved = config.withMaster(sparkConf.get("spark.master"));
        Configuration hadoopConf = session != null
                ? HadoopFs.bounded(new Configuration(session.sparkContext().hadoopConfiguration()))
                : SparkConfs.hadoopConf(sparkConf);
        // The model is read, and checked against the data where its shape is known without Spark, before
        // anything is written.
        ModelSource model = this.model != null ? this.model : ModelSource.of(resolved, hadoopConf);
        DataSource dataSource = source != null ? source : DataSources.open(resolved.data(), resolved.input(), hadoopConf);
        TrainingData.checkKnown(model, dataSource, resolved);
        HadoopFs.Location outLocation = HadoopFs.resolve("output", resolved.output(), hadoopConf);
        OutputPlace.require("output", outLocation, inputs(resolved, source == null, model, hadoopConf), true);
        RunOutput output = RunOutput.claim(outLocation, resolved.overwrite() || resume, resolved.forceUnlock());
        try {
            CheckpointStore checkpoints = checkpoints(outLocation);
            StartupTimes startup = new StartupTimes(wallStart);
            startup.mark("checks");
            Ran ran = trainInSpark(sparkConf, resolved, hadoopConf, model, dataSource, outLocation, checkpoints,
                    startup);
            Trained trained = ran.trained();
            TrainResult result = new TrainResult(outLocation.toString(), trained.epochs(), trained.test(),
                    (System.nanoTime() - wallStart) / 1e9, trained.examples(), trained.model(),
                    new TrainResult.Footprint((trained.firstStepNanos() - wallStart) / 1e9, trained.cachedBytes()));
            RunPublisher.publish(output, trained.config(), result, ran.data(), trained.sparkInfo(), ran.extra());
            output.finish();
            return result;
        } catch (Throwable t) {
            output.abort();
            throw t;
        }
    }

    /**
     * Starts Spark for the run (or joins the caller's session), reads the data, builds the network, trains
     * it and runs the work asked for after training, all in the run's job group.
     */
    private Ran trainInSpark(SparkConf sparkConf, TrainConfig resolved, Configuration hadoopConf, ModelSource model,
                             DataSource dataSource, HadoopFs.Location outLocation, CheckpointStore checkpoints,
                             StartupTimes startup) throws Exception {
        try (SparkRuntime spark = session != null ? SparkRuntime.attach(session, resolved)
                : SparkRuntime.start(sparkConf, resolved);
             RunJobGroup jobs = RunJobGroup.enter(spark.sc(), "tributary: training into " + outLocation)) {
            startup.mark("Spark");
            TrainingData data = TrainingData.read(spark.session(), dataSource, resolved, hadoopConf);
            startup.mark("data");
            Network net = buildNetwork(resolved, model, data);
            startup.mark("network");
            Trained trained = train(spark, resolved, data, net, checkpoints, startup);
            Map<String, Map<String, Object>> extra = afterTraining == null ? Map.of()
                    : Map.of(extraFile, afterTraining.run(spark.sc(), trained.model(), data.train().classes(),
                            spark.threadsPerTask()));
            return new Ran(data, trained, extra);
        }
    }

    /** A run's data, what training produced, and the after-training work's result (by file name). */
    private record Ran(TrainingData data, Trained trained, Map<String, Map<String, Object>> extra) {
    }

    /** What training produced, before it is published; {@code config} is the one trained with (replicas resolved). */
    private record Trained(TrainConfig config, Network model, List<EpochResult> epochs, HoldoutEvaluation.Result test,
                           long examples, Map<String, Object> sparkInfo, long firstStepNanos, long cachedBytes) {
    }

    /**
     * What the run reads, which its output must keep apart from: the data (when {@code dataInFiles}: not a
     * dataset in memory), the held-out data, a model file.
     */
    private static List<OutputPlace.Input> inputs(TrainConfig config, boolean dataInFiles, ModelSource model,
                                                  Configuration hadoopConf) {
        List<OutputPlace.Input> inputs = new ArrayList<>();
        for (String data : Arrays.asList(dataInFiles ? config.data() : null, config.input().testData())) {
            if (data != null && !data.startsWith(TableRows.TABLE_PREFIX)) {
                inputs.add(new OutputPlace.Input("data", HadoopFs.resolve("data", data, hadoopConf)));
            }
        }
        if (model.kind() != ModelSource.Kind.ZOO) {
            inputs.add(new OutputPlace.Input("model", HadoopFs.resolve("model", model.name(), hadoopConf)));
        }
        return inputs;
    }

    private SparkConf sparkConf() {
        SparkConf conf = SparkConfs.build("tributary-train", config.master());
        if (config.sync() == SyncMode.SHARED_GRADIENTS) {
            // Executors apply the Aeron settings when they start (TributaryPlugin), before Aeron's classes load.
            conf.set(TributaryPlugin.AERON_DIR_CONF, config.shared().aeronDir());
        }
        if (config.sync() == SyncMode.PARAM_AVG) {
            // A round's task waits for no executor: one that holds no replica's examples, or joined just now,
            // takes a replica whose own executor is busy at once (reading the examples from it), rather than
            // after Spark's default 3 s a locality level. Where examples are cached still comes first.
            conf.setIfMissing(LOCALITY_WAIT, "0s");
        }
        return conf;
    }

    /** The run's checkpoints; a new run (not a resume) drops an overwritten run's, which must not be resumed or kept. */
    private CheckpointStore checkpoints(HadoopFs.Location output) throws IOException {
        CheckpointStore checkpoints = new CheckpointStore(output);
        if (!resume) {
            checkpoints.clear();
        }
        return checkpoints;
    }

    /**
     * The network for the data's shape ({@link ModelSource}), as this backend trains it fastest (unless
     * {@code fused-layers} is off), with the warm
     * start's parameters when there is one.
     */
    private Network buildNetwork(TrainConfig config, ModelSource model, TrainingData data) {
        Network standard = model.network(data.shape(), data.numClasses());
        Network net = config.fusedLayers() ? standard.forBackend() : standard;
        if (warmStart != null) {
            // Compared in one form (the fused one numbers its layers otherwise): the same parameters, by name and shape.
            Map<String, List<Long>> ours = shapes(net.standard());
            Map<String, List<Long>> theirs = shapes(warmStart.standard());
            if (!ours.equals(theirs)) {
                throw new InputException("Cannot warm-start from " + warmStartName + ": its parameters " + theirs
                        + " are not those of " + model.name() + " for examples of " + data.shape() + " (C,H,W) in "
                        + data.numClasses() + " classes " + ours
                        + "; train from scratch instead");
            }
            net.setParams(warmStart.params().castTo(net.params().dataType()));
        }
        return net;
    }

    private static Map<String, List<Long>> shapes(Network net) {
        Map<String, List<Long>> shapes = new TreeMap<>();
        net.paramTable().forEach((name, p) -> shapes.put(name, Arrays.stream(p.shape()).boxed().toList()));
        return shapes;
    }

    /**
     * Distributes the data to the sync mode's engine, then trains {@code net} epoch by epoch (from the
     * newest checkpoint when resuming); parameter averaging's replicas default to the executors' cores now.
     */
    private Trained train(SparkRuntime spark, TrainConfig config, TrainingData data, Network net,
                          CheckpointStore checkpoints, StartupTimes startup) throws Exception {
        TrainConfig run = config.sync() == SyncMode.PARAM_AVG && config.replicas() == 0
                ? config.withReplicas(spark.workers()) : config;
        try (SyncEngine engine = SyncEngine.start(spark, run, data, net)) {
            Trainer.Position from = resume ? resumeFrom(checkpoints, net, engine) : Trainer.Position.START;
            Trainer trainer = new Trainer(spark.sc(), engine, new Progress(progressOut, liveProgress, run.epochs()),
                    TrainPlan.of(run, spark.threadsPerTask(), data.numClasses()));
            long firstStep = startup.ready(resume ? "dealing the data and resuming" : "dealing the data");
            List<EpochResult> epochs = trainer.train(from, new Checkpointing(checkpoints, run, engine));
            Map<String, Object> sparkInfo = spark.info(run);
            sparkInfo.putAll(engine.info());
            return new Trained(run, engine.network(), epochs, trainer.lastEvaluation(), engine.examples(), sparkInfo,
                    firstStep, engine.cachedBytes());
        }
    }

    private Trainer.Position resumeFrom(CheckpointStore checkpoints, Network net, SyncEngine engine) {
        CheckpointStore.Loaded checkpoint = checkpoints.newestValid(m -> progressOut.println("tributary: " + m));
        Trainer.Position from = Checkpointing.resume(checkpoint, net, engine);
        progressOut.printf("tributary: resuming from checkpoint %s (epoch %d, %d steps done)%n", checkpoint.name(),
                from.epoch(), from.stepsDone());
        return from;
    }
}
