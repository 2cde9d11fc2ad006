package io.tributary.job.cli;

import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.HadoopFs;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.train.CheckpointStore;

import java.util.LinkedHashMap;
import java.util.Map;

/** The config a run saved with its newest valid checkpoint, as the base of a resumed run's config. */
final class ResumeConfig {
    private ResumeConfig() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> saved(String output, Map<String, Object> flags) {
        HadoopFs.Location location = HadoopFs.resolve("resume", output,
                SparkConfs.hadoopConf(new org.apache.spark.SparkConf(true)));
        CheckpointStore.Loaded newest = new CheckpointStore(location).newestValid(m -> { });
        Map<String, Object> saved = new LinkedHashMap<>((Map<String, Object>) newest.state().get("config"));
        saved.remove(TrainKeys.OVERWRITE.name());
        saved.remove(TrainKeys.FORCE_UNLOCK.name());
        Object master = saved.get(TrainKeys.MASTER.name());
        // A local run resumes locally; on a cluster the master comes from spark-submit.
        if (master == null || !SparkConfs.isLocal(String.valueOf(master))) {
            saved.remove(TrainKeys.MASTER.name());
        }
        return saved;
    }
}
