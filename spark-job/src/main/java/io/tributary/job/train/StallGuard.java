package io.tributary.job.train;

import org.apache.spark.api.java.JavaSparkContext;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds each training step: its Spark jobs carry a job tag of the step's own, within the run's job
 * group ({@link RunJobGroup}), and the jobs with that tag are cancelled (task threads interrupted)
 * when the step takes longer than the stall timeout, so a mesh or an executor that stops answering
 * fails the run with a clear error instead of holding it forever. The tag names the run and the step
 * ({@code tributary-run-3-step-17}): another run's steps in the same session are never touched.
 */
final class StallGuard implements AutoCloseable {
    /** Numbers the guards made outside a run's job group, to keep their tags apart. */
    private static final AtomicLong UNGROUPED = new AtomicLong();
    /** Spark's local properties of the thread's jobs that a step sets, and sets back after it. */
    private static final String INTERRUPT_ON_CANCEL = "spark.job.interruptOnCancel";
    private static final String DESCRIPTION = "spark.job.description";

    private final JavaSparkContext sc;
    private final int timeoutSeconds;
    private final String tagPrefix;
    private final ScheduledExecutorService timer;
    private long steps;

    /** @param timeoutSeconds longest allowed step; 0 for no limit */
    StallGuard(JavaSparkContext sc, int timeoutSeconds) {
        this.sc = sc;
        this.timeoutSeconds = timeoutSeconds;
        String group = RunJobGroup.current(sc);
        this.tagPrefix = (group != null ? group : "tributary-guard-" + UNGROUPED.incrementAndGet()) + "-step-";
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
        String tag = tagPrefix + (++steps);
        AtomicBoolean fired = new AtomicBoolean();
        String interrupt = sc.getLocalProperty(INTERRUPT_ON_CANCEL);
        String runDescription = sc.getLocalProperty(DESCRIPTION);
        sc.setInterruptOnCancel(true);
        sc.setJobDescription(description);
        sc.addJobTag(tag);
        ScheduledFuture<?> alarm = timer.schedule(() -> {
            fired.set(true);
            sc.cancelJobsWithTag(tag);
        }, timeoutSeconds, TimeUnit.SECONDS);
        try {
            step.run();
        } catch (Throwable e) {
            // Any throwable: Spark's Scala code throws its checked SparkException through a Runnable.
            if (fired.get()) throw stalled(description, e);
            throw e;
        } finally {
            alarm.cancel(false);
            sc.removeJobTag(tag);
            sc.setLocalProperty(INTERRUPT_ON_CANCEL, interrupt);
            sc.setLocalProperty(DESCRIPTION, runDescription);
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
