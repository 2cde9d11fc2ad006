package io.tributary.job.registry;

import io.tributary.common.InputException;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import io.tributary.job.read.Batching;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.read.DataReader;
import io.tributary.common.config.RetrainConfig;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.io.CrashPoint;
import io.tributary.common.io.FsLock;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.OutputPlace;
import io.tributary.common.store.ModelSource;
import io.tributary.common.registry.ModelRegistry;
import io.tributary.common.registry.Promotion;
import io.tributary.common.model.Network;
import io.tributary.common.store.ModelStore;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.train.Batches;
import io.tributary.job.train.HoldoutEvaluation;
import io.tributary.common.data.RawBatch;
import io.tributary.job.train.TrainJob;
import io.tributary.job.train.TrainResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One retraining: under the registry's lock, skip if the data is unchanged, train a challenger into
 * the next version's directory (from scratch or from the champion), evaluate challenger and champion
 * on the same holdout, move the champion pointer if the challenger is better by the margin, prune,
 * and record the decision in the history.
 */
public final class RetrainJob {
    private static final Logger log = LoggerFactory.getLogger(RetrainJob.class);
    /** The comparison of challenger and champion, published in each version's directory. */
    public static final String HOLDOUT_FILE = "holdout.json";

    private final TrainConfig train;
    private final RetrainConfig retrain;
    private final PrintStream progressOut;
    private final boolean liveProgress;

    /** What a retraining did: the history line it wrote. */
    public record Outcome(String decision, int version, String reason, Map<String, Object> entry) {
    }

    /** @param train the training config; its output is replaced by the new version's directory */
    public RetrainJob(TrainConfig train, RetrainConfig retrain, PrintStream progressOut, boolean liveProgress) {
        this.train = train;
        this.retrain = retrain;
        this.progressOut = progressOut;
        this.liveProgress = liveProgress;
    }

    public Outcome run() throws Exception {
        Configuration hadoopConf = SparkConfs.hadoopConf();
        // The inputs (their headers, and the model name) are checked before the registry is created or
        // locked: bad input leaves nothing behind. The examples are read by the training run.
        ModelSource source = ModelSource.of(train, hadoopConf);   // a model that cannot be used is refused here
        String holdoutLocation = retrain.holdout() == null ? train.data() : retrain.holdout();
        // The data's listing (a missing location is refused here) and, where known without Spark, its shape.
        String dataSha = (String) DataReader.fingerprint(train.data(), hadoopConf).get("sha256");
        String holdoutSha = (String) DataReader.fingerprint(holdoutLocation, hadoopConf).get("sha256");
        Optional<InputShape> holdoutShape = DataReader.knownShape(holdoutLocation, train.input(), hadoopConf);
        DataReader.knownShape(train.data(), train.input(), hadoopConf);
        String holdoutName = holdoutLocation + (DataReader.resolve(holdoutLocation, train.input().format(), hadoopConf)
                == DataFormat.IDX ? " (test split)" : "");
        HadoopFs.Location registryLocation = HadoopFs.resolve("registry", retrain.registry(), hadoopConf);
        OutputPlace.require("registry", registryLocation, dataInputs(holdoutLocation, hadoopConf), true);
        ModelRegistry registry = ModelRegistry.open(registryLocation, true);
        try (FsLock ignored = registry.lock(train.forceUnlock())) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("event", ModelRegistry.RETRAIN);
            entry.put("data", train.data());
            entry.put("data_sha256", dataSha);
            entry.put("holdout", holdoutName);
            entry.put("holdout_sha256", holdoutSha);
            Map<String, Object> last = registry.lastTrained();
            if (!retrain.force() && last != null && dataSha.equals(last.get("data_sha256"))) {
                String reason = "data unchanged since version " + ModelRegistry.name(((Number) last.get("version"))
                        .intValue()) + " (same fingerprint " + dataSha.substring(0, 12) + "); --force retrains anyway";
                return record(registry, entry, ModelRegistry.SKIPPED, 0, reason);
            }

            OptionalInt championVersion = registry.champion();
            String championName = championVersion.isPresent() ? ModelRegistry.name(championVersion.getAsInt()) : null;
            int version = registry.nextVersion();
            entry.put("version", version);
            entry.put("name", ModelRegistry.name(version));
            entry.put("champion_before", championVersion.isPresent() ? championVersion.getAsInt() : null);
            Comparison comparison = new Comparison();
            try {
                Network champion = championVersion.isPresent()
                        ? ModelStore.load(registry.versionDir(championVersion.getAsInt())).forBackend() : null;
                if (champion != null && holdoutShape.isPresent()) {
                    champion.outputsFor(holdoutShape.get(), "champion " + championName, holdoutLocation);
                }
                HadoopFs.Location dir = registry.versionDir(version);
                progressOut.printf("tributary: training version %s into %s (champion: %s)%n",
                        ModelRegistry.name(version), dir, championName == null ? "none yet" : championName);
                TrainJob job = new TrainJob(train.withOutput(dir.toString()), progressOut, liveProgress).using(source);
                if (retrain.warmStart() && champion != null) {
                    job.startingFrom(champion, "champion " + championName);
                    entry.put("warm_start_from", championVersion.getAsInt());
                }
                job.afterTraining(HOLDOUT_FILE, (sc, model, classes, threads) -> {
                    SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
                    ExampleRows holdout = DataReader.heldOut(spark, holdoutLocation, train.input(), 0, classes,
                            hadoopConf, sc.sc().longAccumulator("tributary.skipped-records"));
                    model.requireFits(holdout.shape(), holdout.numClasses(), "the challenger", holdoutLocation);
                    if (champion != null) {
                        champion.requireFits(holdout.shape(), holdout.numClasses(),
                                "champion " + championName, holdoutLocation);
                    }
                    JavaRDD<RawBatch> batches = Batching.evaluation(holdout, Batches.EVAL_BATCH,
                            Batching.scale(train.input().featureScale(), holdout.byteFeatures()), sc.defaultParallelism(),
                            StorageLevel.MEMORY_ONLY());
                    try {
                        comparison.challenger = HoldoutEvaluation.run(sc, model, batches, holdout.numClasses(), threads,
                                Batches.EVAL_BATCH, 0).toMap();
                        if (champion != null) {
                            comparison.champion = HoldoutEvaluation.run(sc, champion, batches, holdout.numClasses(),
                                    threads, Batches.EVAL_BATCH, 0).toMap();
                        }
                    } finally {
                        batches.unpersist(false);
                    }
                    return comparison.toMap(holdoutName, holdoutSha, championVersion);
                });
                TrainResult result = job.run();
                registry.versionDir(version).fs().delete(registry.versionDir(version).child("checkpoints").path(), true);
                entry.put("train_test_accuracy", result.test().accuracy());
                entry.put("examples_per_second", result.examplesPerSecond());
            } catch (InputException e) {
                recordFailure(registry, entry, version, e.getMessage(), e);
                throw e;
            } catch (Exception | Error e) {
                String reason = e.getClass().getSimpleName() + ": "
                        + (e.getMessage() != null ? e.getMessage() : HadoopFs.describe(e));
                recordFailure(registry, entry, version, reason, e);
                throw new RetrainFailedException("Retraining version " + ModelRegistry.name(version) + " failed: "
                        + reason, e);
            }

            double challenger = retrain.metric().of(comparison.challenger);
            OptionalDouble championScore = comparison.champion == null ? OptionalDouble.empty()
                    : OptionalDouble.of(retrain.metric().of(comparison.champion));
            Promotion decision = Promotion.decide(retrain.metric(), championScore, championName, challenger,
                    retrain.minImprovement(), retrain.floor());
            entry.put("metric", retrain.metric().label());
            entry.put("challenger", challenger);
            entry.put("champion", championScore.isPresent() ? championScore.getAsDouble() : null);
            entry.put("min_improvement", retrain.minImprovement());
            entry.put("floor", retrain.floor());
            if (decision.promoted()) {
                CrashPoint.reach("before-champion-pointer");   // the version is complete, the pointer not moved
                registry.setChampion(version, ModelRegistry.RETRAIN);
            }
            return record(registry, entry, decision.promoted() ? ModelRegistry.PROMOTED : ModelRegistry.REJECTED,
                    version, decision.reason());
        }
    }

    /** The data and held-out data as inputs the registry must keep apart from. */
    private List<OutputPlace.Input> dataInputs(String holdout, Configuration hadoopConf) {
        List<OutputPlace.Input> inputs = new ArrayList<>();
        for (String data : List.of(train.data(), holdout)) {
            if (!data.startsWith(DataReader.TABLE_PREFIX)) {
                inputs.add(new OutputPlace.Input("data", HadoopFs.resolve("data", data, hadoopConf)));
            }
        }
        return inputs;
    }

    private Outcome record(ModelRegistry registry, Map<String, Object> entry, String decision, int version,
                           String reason) throws IOException {
        entry.put("decision", decision);
        entry.put("reason", reason);
        OptionalInt champion = registry.champion();
        entry.put("champion_after", champion.isPresent() ? champion.getAsInt() : null);
        if (!ModelRegistry.SKIPPED.equals(decision)) {
            entry.put("pruned", registry.prune(retrain.versionsKept()));
        }
        entry.put("config", retrain.asMap());
        registry.append(entry);
        log.info("Retraining: {} ({})", decision, reason);
        return new Outcome(decision, version, reason, entry);
    }

    /** Records a failed retraining; a failure to record it is attached to the original error, not thrown. */
    private void recordFailure(ModelRegistry registry, Map<String, Object> entry, int version, String reason,
                               Throwable cause) {
        try {
            record(registry, entry, ModelRegistry.FAILED, version, reason);
        } catch (IOException | RuntimeException recording) {
            cause.addSuppressed(recording);
        }
    }

    /** Challenger's and champion's evaluations on the holdout, filled in while Spark is up. */
    private static final class Comparison {
        Map<String, Object> challenger;
        Map<String, Object> champion;

        Map<String, Object> toMap(String holdout, String holdoutSha, OptionalInt championVersion) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("holdout", holdout);
            m.put("holdout_sha256", holdoutSha);
            m.put("challenger", Objects.requireNonNull(challenger));
            if (champion != null) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("version", championVersion.getAsInt());
                c.putAll(champion);
                m.put("champion", c);
            }
            return m;
        }
    }
}
