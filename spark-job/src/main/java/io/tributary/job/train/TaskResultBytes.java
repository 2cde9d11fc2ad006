package io.tributary.job.train;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the serialized bytes of task results sent from executors to the driver: with parameter
 * averaging, every round's parameters and updater state. Fed by Spark's listener bus, so a reading
 * may trail the last tasks by a moment.
 */
final class TaskResultBytes extends SparkListener {
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (taskEnd.taskMetrics() != null) {
            bytes.addAndGet(taskEnd.taskMetrics().resultSize());
        }
    }

    long total() {
        return bytes.get();
    }
}
