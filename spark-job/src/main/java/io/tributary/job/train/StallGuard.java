package io.tributary.job.train;

import org.apache.spark.api.java.JavaSparkContext;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds each training step: its Spark jobs run in their own job group, which is cancelled (task
 * threads interrupted) when the step takes longer than the stall timeout, so a mesh or an executor
 * that stops answering fails the run with a clear error instead of holding it forever.
 */
final class StallGuard implements AutoCloseable {
    private final JavaSparkContext sc;
    private final int timeoutSeconds;
    private final ScheduledExecutorService timer;
    private long steps;

    /** @param timeoutSeconds longest allowed step; 0 for no limit */
    StallGuard(JavaSparkContext sc, int timeoutSeconds) {
        this.sc = sc;
        this.timeoutSeconds = timeoutSeconds;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tributary-stall-guard");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code step} (which submits Spark jobs from this thread) within the time limit. */
    void run(String description, Runnable step) {
        if (timeoutSeconds == 0) {
            step.run();
            return;
        }
        String group = "tributary-step-" + (++steps);
        AtomicBoolean fired = new AtomicBoolean();
        sc.setJobGroup(group, description, true);
        ScheduledFuture<?> alarm = timer.schedule(() -> {
            fired.set(true);
            sc.cancelJobGroup(group);
        }, timeoutSeconds, TimeUnit.SECONDS);
        try {
            step.run();
        } catch (Throwable e) {
            // Any throwable: Spark's Scala code throws its checked SparkException through a Runnable.
            if (fired.get()) throw stalled(description, e);
            throw e;
        } finally {
            alarm.cancel(false);
            sc.clearJobGroup();
        }
        if (fired.get()) throw stalled(description, null);
    }

    private IllegalStateException stalled(String description, Throwable cause) {
        return new IllegalStateException("Training " + description + " took longer than " + timeoutSeconds
                + " s (stall-timeout-seconds) and was cancelled; the executors' logs say where it stopped", cause);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
