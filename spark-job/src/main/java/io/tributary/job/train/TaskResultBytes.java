package io.tributary.job.train;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the serialized bytes of task results sent from executors to the driver: with parameter
 * averaging, every round's parameters and updater state. Only the tasks of one run's job group are
 * counted, so runs side by side in one session count their own. Fed by Spark's listener bus, so a
 * reading may trail the last tasks by a moment.
 */
final class TaskResultBytes extends SparkListener {
    private final String group;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytes = new AtomicLong();

    /** @param group the run's job group ({@link RunJobGroup}); {@code null} counts every task */
    TaskResultBytes(String group) {
        this.group = group;
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
        Properties properties = submitted.properties();
        if (group != null && properties != null && group.equals(properties.getProperty(RunJobGroup.GROUP))) {
            stages.add(submitted.stageInfo().stageId());
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (taskEnd.taskMetrics() != null && (group == null || stages.contains(taskEnd.stageId()))) {
            bytes.addAndGet(taskEnd.taskMetrics().resultSize());
        }
    }

    long total() {
        return bytes.get();
    }
}
