package io.tributary.job.spark;

import org.apache.spark.api.java.JavaSparkContext;

/**
 * Waits, bounded, until a cluster has given the application executors. Without this a refused or
 * unreachable master shows up much later, or as a hang inside Spark (a broadcast on a stopped
 * context waits forever in Spark 3.5).
 */
public final class ExecutorWait {
    /** Spark conf key: seconds to wait for the first executor (default 120). */
    public static final String TIMEOUT_KEY = "spark.tributary.executorWaitSeconds";

    private ExecutorWait() {
    }

    public static void await(JavaSparkContext sc) {
        String master = sc.master();
        if (SparkConfs.isLocal(master)) {
            return;
        }
        long timeoutSeconds = sc.getConf().getLong(TIMEOUT_KEY, 120);
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (true) {
            if (sc.sc().isStopped()) {
                throw StandaloneMaster.refused(master, "");
            }
            // The driver counts as one entry.
            if (sc.sc().statusTracker().getExecutorInfos().length > 1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("No executor registered with the application on " + master + " within "
                        + timeoutSeconds + " s (" + TIMEOUT_KEY + "); the cluster may lack free cores or memory");
            }
            try {
                // Short: the first step waits on this, and asking the status tracker costs microseconds.
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for executors", e);
            }
        }
    }
}
