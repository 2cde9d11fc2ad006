package io.tributary.job.registry;

import io.tributary.common.InputException;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.RetrainConfig;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.data.RawBatch;
import io.tributary.common.io.CrashPoint;
import io.tributary.common.io.FsLock;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.OutputPlace;
import io.tributary.common.model.Network;
import io.tributary.common.registry.HistoryEntry;
import io.tributary.common.registry.HoldoutComparison;
import io.tributary.common.registry.ModelRegistry;
import io.tributary.common.registry.Promotion;
import io.tributary.common.store.ModelSource;
import io.tributary.common.store.ModelStore;
import io.tributary.job.read.Batching;
import io.tributary.job.read.DataReader;
import io.tributary.job.read.DataSources;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.read.TableRows;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.train.Batches;
import io.tributary.job.train.HoldoutEvaluation;
import io.tributary.job.train.TrainJob;
import io.tributary.job.train.TrainResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    public static final String HOLDOUT_FILE = HoldoutComparison.FILE;

    private final TrainConfig train;
    private final RetrainConfig retrain;
    private final PrintStream progressOut;
    private final boolean liveProgress;

    /** What a retraining did: the history line it wrote ({@code version} 0 when skipped). */
    public record Outcome(String decision, int version, String reason, HistoryEntry entry) {
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
        Inputs in = Inputs.check(train, retrain, hadoopConf);
        OutputPlace.require("registry", in.registry(), dataInputs(in.holdout(), hadoopConf), true);
        ModelRegistry registry = ModelRegistry.open(in.registry(), true);
        try (FsLock ignored = registry.lock(train.forceUnlock())) {
            HistoryEntry.Retraining facts = HistoryEntry.Retraining.of(train.data(), in.dataSha(), in.holdoutName(),
                    in.holdoutSha());
            HistoryEntry last = registry.lastTrained();
            if (!retrain.force() && last != null && in.dataSha().equals(last.retraining().dataSha256())) {
                String reason = "data unchanged since version " + ModelRegistry.name(last.version())
                        + " (same fingerprint " + in.dataSha().substring(0, 12) + "); --force retrains anyway";
                return record(registry, null, null, facts, ModelRegistry.SKIPPED, reason);
            }
            OptionalInt champion = registry.champion();
            Integer championBefore = champion.isPresent() ? champion.getAsInt() : null;
            int version = registry.nextVersion();
            if (retrain.warmStart() && championBefore != null) {
                facts = facts.warmStartFrom(championBefore);
            }
            Evaluations evaluations = new Evaluations();
            facts = trainChallenger(registry, in, championBefore, version, facts, evaluations, hadoopConf);
            return decide(registry, championBefore, version, facts, evaluations);
        }
    }

    /**
     * The inputs, checked before the registry is created or locked so that bad input leaves nothing
     * behind: the model source, the data's and the holdout's listings (a missing location is refused
     * here) and, where known without Spark, their shapes. The examples are read by the training run.
     */
    private record Inputs(ModelSource source, String holdout, String holdoutName, String dataSha, String holdoutSha,
                          Optional<InputShape> holdoutShape, HadoopFs.Location registry) {
        static Inputs check(TrainConfig train, RetrainConfig retrain, Configuration hadoopConf) {
            ModelSource source = ModelSource.of(train, hadoopConf);   // a model that cannot be used is refused here
            String holdout = retrain.holdout() == null ? train.data() : retrain.holdout();
            String dataSha = (String) DataSources.fingerprint(train.data(), hadoopConf).get("sha256");
            String holdoutSha = (String) DataSources.fingerprint(holdout, hadoopConf).get("sha256");
            Optional<InputShape> holdoutShape = DataReader.knownShape(holdout, train.input(), hadoopConf);
            DataReader.knownShape(train.data(), train.input(), hadoopConf);
            String holdoutName = holdout + (DataSources.resolve(holdout, train.input().format(), hadoopConf)
                    == DataFormat.IDX ? " (test split)" : "");
            return new Inputs(source, holdout, holdoutName, dataSha, holdoutSha, holdoutShape,
                    HadoopFs.resolve("registry", retrain.registry(), hadoopConf));
        }
    }

    /** The champion before this retraining, loaded ({@code version} null and no network when there is none). */
    private record Champion(Integer version, String name, Network network) {
        static Champion load(ModelRegistry registry, Integer version, Inputs in) {
            if (version == null) return new Champion(null, null, null);
            String name = ModelRegistry.name(version);
            Network network = ModelStore.load(registry.versionDir(version)).forBackend();
            if (in.holdoutShape().isPresent()) {
                network.outputsFor(in.holdoutShape().get(), "champion " + name, in.holdout());
            }
            return new Champion(version, name, network);
        }
    }

    /**
     * Trains the challenger into the next version's directory and evaluates it (and the champion) on
     * the holdout; a failure is recorded in the history before it is thrown.
     */
    private HistoryEntry.Retraining trainChallenger(ModelRegistry registry, Inputs in, Integer championBefore,
                                                    int version, HistoryEntry.Retraining facts,
                                                    Evaluations evaluations, Configuration hadoopConf) throws Exception {
        try {
            Champion champion = Champion.load(registry, championBefore, in);
            HadoopFs.Location dir = registry.versionDir(version);
            progressOut.printf("tributary: training version %s into %s (champion: %s)%n", ModelRegistry.name(version),
                    dir, champion.name() == null ? "none yet" : champion.name());
            TrainJob job = new TrainJob(train.withOutput(dir.toString()), progressOut, liveProgress).using(in.source());
            if (facts.warmStartFrom() != null) {
                job.startingFrom(champion.network(), "champion " + champion.name());
            }
            job.afterTraining(HOLDOUT_FILE, evaluations.onHoldout(train, in, champion, hadoopConf));
            TrainResult result = job.run();
            dir.fs().delete(dir.child("checkpoints").path(), true);
            return facts.trained(result.test().accuracy(), result.examplesPerSecond());
        } catch (InputException e) {
            recordFailure(registry, championBefore, version, facts, e.getMessage(), e);
            throw e;
        } catch (Exception | Error e) {
            String reason = e.getClass().getSimpleName() + ": "
                    + (e.getMessage() != null ? e.getMessage() : HadoopFs.describe(e));
            recordFailure(registry, championBefore, version, facts, reason, e);
            throw new RetrainFailedException("Retraining version " + ModelRegistry.name(version) + " failed: "
                    + reason, e);
        }
    }

    /** Promotes the challenger if it beats the champion by the margin (and the floor), and records why. */
    private Outcome decide(ModelRegistry registry, Integer championBefore, int version, HistoryEntry.Retraining facts,
                           Evaluations evaluations) throws IOException {
        double challenger = retrain.metric().of(evaluations.challenger);
        OptionalDouble championScore = evaluations.champion == null ? OptionalDouble.empty()
                : OptionalDouble.of(retrain.metric().of(evaluations.champion));
        String championName = championBefore == null ? null : ModelRegistry.name(championBefore);
        Promotion decision = Promotion.decide(retrain.metric(), championScore, championName, challenger,
                retrain.minImprovement(), retrain.floor());
        HistoryEntry.Retraining scored = facts.scored(new HistoryEntry.Score(retrain.metric().label(), challenger,
                championScore.isPresent() ? championScore.getAsDouble() : null, retrain.minImprovement(),
                retrain.floor()));
        if (decision.promoted()) {
            CrashPoint.reach("before-champion-pointer");   // the version is complete, the pointer not moved
            registry.setChampion(version, ModelRegistry.RETRAIN);
        }
        return record(registry, version, championBefore, scored,
                decision.promoted() ? ModelRegistry.PROMOTED : ModelRegistry.REJECTED, decision.reason());
    }

    /** The data and held-out data as inputs the registry must keep apart from. */
    private List<OutputPlace.Input> dataInputs(String holdout, Configuration hadoopConf) {
        List<OutputPlace.Input> inputs = new ArrayList<>();
        for (String data : List.of(train.data(), holdout)) {
            if (!data.startsWith(TableRows.TABLE_PREFIX)) {
                inputs.add(new OutputPlace.Input("data", HadoopFs.resolve("data", data, hadoopConf)));
            }
        }
        return inputs;
    }

    /** Prunes (unless skipped) and appends the history line; {@code version} is null for a skipped run. */
    private Outcome record(ModelRegistry registry, Integer version, Integer championBefore,
                           HistoryEntry.Retraining facts, String decision, String reason) throws IOException {
        OptionalInt champion = registry.champion();
        List<Integer> pruned = ModelRegistry.SKIPPED.equals(decision) ? null : registry.prune(retrain.versionsKept());
        HistoryEntry entry = new HistoryEntry(null, ModelRegistry.RETRAIN, version, championBefore,
                champion.isPresent() ? champion.getAsInt() : null, reason, null,
                facts.decided(decision, pruned, retrain.asMap()));
        registry.append(entry);
        log.info("Retraining: {} ({})", decision, reason);
        return new Outcome(decision, version == null ? 0 : version, reason, entry);
    }

    /** Records a failed retraining; a failure to record it is attached to the original error, not thrown. */
    private void recordFailure(ModelRegistry registry, Integer championBefore, int version,
                               HistoryEntry.Retraining facts, String reason, Throwable cause) {
        try {
            record(registry, version, championBefore, facts, ModelRegistry.FAILED, reason);
        } catch (IOException | RuntimeException recording) {
            cause.addSuppressed(recording);
        }
    }

    /** Challenger's and champion's evaluations on the holdout, filled in while Spark is up. */
    private static final class Evaluations {
        Map<String, Object> challenger;
        Map<String, Object> champion;

        /** The work after training: evaluates both models on the same holdout batches, for holdout.json. */
        TrainJob.AfterTraining onHoldout(TrainConfig train, Inputs in, Champion championBefore,
                                         Configuration hadoopConf) {
            return (sc, model, classes, threads) -> {
                SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
                ExampleRows holdout = DataReader.heldOut(spark, in.holdout(), train.input(), 0, classes, hadoopConf,
                        sc.sc().longAccumulator("tributary.skipped-records"));
                model.requireFits(holdout.shape(), holdout.numClasses(), "the challenger", in.holdout());
                Network championNet = championBefore.network();
                if (championNet != null) {
                    championNet.requireFits(holdout.shape(), holdout.numClasses(), "champion " + championBefore.name(),
                            in.holdout());
                }
                JavaRDD<RawBatch> batches = Batching.evaluation(holdout, Batches.EVAL_BATCH,
                        Batching.scale(train.input().featureScale(), holdout.byteFeatures()), sc.defaultParallelism(),
                        StorageLevel.MEMORY_ONLY());
                try {
                    challenger = HoldoutEvaluation.run(sc, model, batches, holdout.numClasses(), threads,
                            Batches.EVAL_BATCH, 0).toMap();
                    if (championNet != null) {
                        champion = HoldoutEvaluation.run(sc, championNet, batches, holdout.numClasses(), threads,
                                Batches.EVAL_BATCH, 0).toMap();
                    }
                } finally {
                    batches.unpersist(false);
                }
                return new HoldoutComparison(in.holdoutName(), in.holdoutSha(), challenger,
                        champion == null ? null : championBefore.version(), champion).toMap();
            };
        }
    }
}
