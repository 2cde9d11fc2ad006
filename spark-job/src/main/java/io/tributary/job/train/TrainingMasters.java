package io.tributary.job.train;

import io.tributary.common.config.TrainConfig;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;

/** Builds DL4J's training master for a job's sync mode. */
public final class TrainingMasters {
    private TrainingMasters() {
    }

    public static TrainingMaster<?, ?> create(TrainConfig config) {
        return switch (config.sync()) {
            case PARAM_AVG -> new ParameterAveragingTrainingMaster.Builder(config.batchSizePerWorker())
                    .batchSizePerWorker(config.batchSizePerWorker())
                    .averagingFrequency(config.averagingFrequency())
                    .workerPrefetchNumBatches(2)
                    // The builder's default is false: Adam's state would be reset every round.
                    .saveUpdater(true)
                    .rngSeed(config.seed())
                    // Data is already cached on the executors as compact batches; no export to files.
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    // The Trainer caches each segment itself and unpersists it after use.
                    .storageLevel(null)
                    .build();
        };
    }
}
