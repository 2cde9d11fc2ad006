package io.tributary.job.train;

import io.tributary.common.config.TrainConfig;
import io.tributary.job.shared.SharedGradients;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;

import java.util.Map;

/** Builds DL4J's training master for a job's sync mode (shared gradients, or DL4J's own averaging for benchmarks). */
public final class TrainingMasters {
    private TrainingMasters() {
    }

    /**
     * A training master, what it was built from (for metadata.json) and what must be released after
     * training.
     */
    public record Prepared(TrainingMaster<?, ?> master, Map<String, Object> info, AutoCloseable resources)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            resources.close();
        }
    }

    public static Prepared create(JavaSparkContext sc, TrainConfig config) throws InterruptedException {
        return switch (config.sync()) {
            case DL4J_PARAM_AVG -> new Prepared(parameterAveraging(config), Map.of(), () -> { });
            case PARAM_AVG -> throw new IllegalArgumentException("param-avg trains in averaging rounds, without DL4J's"
                    + " training master");
            case SHARED_GRADIENTS -> {
                SharedGradients shared = SharedGradients.prepare(sc, config);
                yield new Prepared(shared.master(), shared.info(), shared);
            }
        };
    }

    static ParameterAveragingTrainingMaster parameterAveraging(TrainConfig config) {
        return new ParameterAveragingTrainingMaster.Builder(config.batchSizePerWorker())
                .batchSizePerWorker(config.batchSizePerWorker())
                .averagingFrequency(config.averagingFrequency())
                .workerPrefetchNumBatches(2)
                // The builder's default is false: Adam's state would be reset every round.
                .saveUpdater(true)
                .rngSeed(config.seed())
                // Data is already cached on the executors as compact batches; no export to files.
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                // A step takes the same share of every cached partition (EpochPlan), one partition a
                // worker: balanced where it lies, so no per-step shuffle of the batches (and no
                // three extra Spark jobs a step to check and redo the balance).
                .repartionData(Repartition.NumPartitionsWorkersDiffers)
                // The Trainer caches each step's data itself and unpersists it after use.
                .storageLevel(null)
                .build();
    }

    /**
     * The training master's unit of work, in batches over all workers; every step of an epoch is a
     * whole number of them ({@link EpochPlan}). For parameter averaging one averaging round (each
     * worker fits {@code averaging-frequency} batches, then parameters are averaged); for shared
     * gradients, whose workers exchange updates continuously and pay a Spark job per step, about a
     * tenth of an epoch.
     */
    public static int batchesPerUnit(TrainConfig config, int workers, int numBatches) {
        return switch (config.sync()) {
            case PARAM_AVG, DL4J_PARAM_AVG -> workers * config.averagingFrequency();
            case SHARED_GRADIENTS -> Math.max(workers, (numBatches + 9) / 10);
        };
    }
}
