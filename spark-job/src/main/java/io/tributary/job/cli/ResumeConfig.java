package io.tributary.job.cli;

import io.tributary.common.InputException;
import io.tributary.common.config.LrSchedule;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.store.ModelStore;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.train.CheckpointStore;
import org.apache.spark.SparkConf;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run saved with its newest valid checkpoint: its config, the base of a resumed run's
 * config, and where it stopped.
 *
 * @param config     the saved config, less the keys that must not carry over
 * @param checkpoint the checkpoint's name
 * @param nextEpoch  the epoch training continues with (past the run's last epoch: all epochs trained)
 * @param published  whether the run's model.zip is in place (it is written last, when a run completes)
 */
record ResumeConfig(Map<String, Object> config, String checkpoint, int nextEpoch, boolean published) {

    /** Whether a run of {@code epochs} epochs has nothing left to do: every epoch trained and the run published. */
    boolean complete(int epochs) {
        return published && nextEpoch > epochs;
    }

    static ResumeConfig of(String output) {
        HadoopFs.Location location = HadoopFs.resolve("resume", output,
                SparkConfs.hadoopConf(new SparkConf(true)));
        CheckpointStore.Loaded newest = new CheckpointStore(location).newestValid(m -> { });
        Map<String, Object> saved = new LinkedHashMap<>(newest.state().config());
        saved.remove(TrainKeys.OVERWRITE.name());
        saved.remove(TrainKeys.FORCE_UNLOCK.name());
        // A checkpoint written before lr-schedule was a key trained at a constant rate; so does its resumed run.
        saved.putIfAbsent(TrainKeys.LR_SCHEDULE.name(), LrSchedule.CONSTANT.label());
        Object master = saved.get(TrainKeys.MASTER.name());
        // A local run resumes locally; on a cluster the master comes from spark-submit.
        if (master == null || !SparkConfs.isLocal(String.valueOf(master))) {
            saved.remove(TrainKeys.MASTER.name());
        }
        boolean published;
        try {
            published = location.fs().exists(location.child(ModelStore.MODEL_FILE).path());
        } catch (IOException e) {
            throw new InputException("Cannot read " + location + ": " + HadoopFs.describe(e));
        }
        return new ResumeConfig(saved, newest.name(), newest.state().position().epoch(), published);
    }
}
