package io.tributary.job.spark;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Sets ND4J's native thread count once per JVM: libnd4j's own loops and the BLAS library's matrix
 * products. Several Spark tasks share an executor JVM (and in local mode the driver's), so each task's
 * share of the cores is what ND4J may use; more oversubscribes the cores and slows every task down.
 * The count also decides how a matrix product splits its work, and so its rounding: parameter
 * averaging's model is the same on any cluster only for the same count.
 */
public final class Nd4jThreads {
    private static volatile int configured = -1;

    private Nd4jThreads() {
    }

    /** Applies {@code threads} if this JVM is not already set to it. Safe to call from every task. */
    public static void ensure(int threads) {
        if (configured == threads) {
            return;
        }
        synchronized (Nd4jThreads.class) {
            if (configured != threads) {
                Nd4j.getEnvironment().setMaxThreads(threads);
                Nd4j.getEnvironment().setMaxMasterThreads(threads);
                // OpenBLAS takes its own count from OMP_NUM_THREADS when it loads (the cores when unset, as in
                // local mode), whatever libnd4j's is.
                Nd4j.factory().blas().setMaxThreads(threads);
                configured = threads;
            }
        }
    }

    /**
     * Threads per model replica for shared-gradient training, where each executor JVM trains
     * {@code replicasPerJvm} replicas and its tasks only feed them data: an explicit value, or the
     * executor's cores divided among the replicas.
     */
    public static int perReplica(int requested, String master, int executorCores, int replicasPerJvm) {
        if (requested > 0) {
            return requested;
        }
        int cores = SparkConfs.localThreads(master) > 0 ? Runtime.getRuntime().availableProcessors() : executorCores;
        return Math.max(1, cores / replicasPerJvm);
    }

    /** Threads per task for a master: an explicit value, or the cores each concurrent task gets. */
    public static int perTask(int requested, String master, int taskCpus) {
        if (requested > 0) {
            return requested;
        }
        int local = SparkConfs.localThreads(master);
        if (local > 0) {
            return Math.max(1, Runtime.getRuntime().availableProcessors() / local);
        }
        return Math.max(1, taskCpus);
    }
}
