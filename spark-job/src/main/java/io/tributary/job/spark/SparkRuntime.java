package io.tributary.job.spark;

import io.tributary.common.InputException;
import io.tributary.common.config.SyncMode;
import io.tributary.common.config.TrainConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Spark context ready for training: executors registered, their ND4J backend checked, the ND4J
 * thread count chosen. Closing stops Spark when this runtime started it ({@link #start}); a session
 * it was given ({@link #attach}: a Spark ML {@code fit}) is left running.
 *
 * @param workers        tasks that run at once (Spark's default parallelism)
 * @param threadsPerTask ND4J threads each concurrent task (or shared-gradient replica) uses
 * @param attached       the caller's session, or {@code null} when this runtime started Spark
 */
public record SparkRuntime(JavaSparkContext sc, int workers, int threadsPerTask, BackendCheck.Result backends,
                           SparkSession attached) implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SparkRuntime.class);

    /** Starts Spark with {@code sparkConf} for a run of {@code config} (whose master is already resolved). */
    public static SparkRuntime start(SparkConf sparkConf, TrainConfig config) {
        JavaSparkContext sc = SparkContexts.start(sparkConf);
        try {
            return prepare(sc, sparkConf, config, null);
        } catch (RuntimeException e) {
            stop(sc);
            throw e;
        }
    }

    /**
     * Trains in a session the caller started and keeps: it must have Tributary's serializer settings
     * and, for shared gradients, its executor plugin with the Aeron directory (both are read when
     * executors start, too late to add now); {@link SessionSettings#missing} names what is lacking.
     */
    public static SparkRuntime attach(SparkSession session, TrainConfig config) {
        SparkConf conf = session.sparkContext().getConf();
        List<String> missing = SessionSettings.missing(conf, config.sync() == SyncMode.SHARED_GRADIENTS);
        if (!missing.isEmpty()) {
            throw new InputException("The Spark session lacks settings Tributary trains with: " + missing
                    + "; start it with them (e.g. spark-shell --conf KEY=VALUE, or " + SessionSettings.class.getSimpleName()
                    + ".apply(SparkSession.builder()))");
        }
        SparkConfs.useSystemClock();
        return prepare(JavaSparkContext.fromSparkContext(session.sparkContext()), conf, config, session);
    }

    private static SparkRuntime prepare(JavaSparkContext sc, SparkConf sparkConf, TrainConfig config,
                                        SparkSession attached) {
        ExecutorWait.await(sc);
        BackendCheck.Result backends = BackendCheck.run(sc);
        BackendCheck.require(config.backend(), backends);
        backends.executors().forEach(b -> log.info("ND4J: {}", b.line()));
        int taskCpus = sparkConf.getInt("spark.task.cpus", 1);
        int threads = config.sync() == SyncMode.SHARED_GRADIENTS
                ? Nd4jThreads.perReplica(config.threadsPerWorker(), config.master(),
                        sparkConf.getInt("spark.executor.cores", taskCpus), config.shared().workersPerNode())
                : Nd4jThreads.perTask(config.threadsPerWorker(), config.master(), taskCpus);
        Nd4jThreads.ensure(threads);
        log.info("Training {} on {} ({} workers, {} ND4J threads per task)", config.model(), config.master(),
                sc.defaultParallelism(), threads);
        return new SparkRuntime(sc, sc.defaultParallelism(), threads, backends, attached);
    }

    /** Spark SQL over this context: the data sources read through it (the caller's session when attached). */
    public SparkSession session() {
        return attached != null ? attached : SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    }

    /** What metadata.json records of the Spark side of a run. */
    public Map<String, Object> info(TrainConfig config) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("master", config.master());
        info.put("application_id", sc.sc().applicationId());
        info.put("workers", workers);
        info.put("nd4j_threads_per_task", threadsPerTask);
        info.put("version", sc.version());
        info.put("sync", config.sync().label());
        info.put("nd4j_executors", backends.executors().stream().map(BackendReport::toMap).toList());
        return info;
    }

    @Override
    public void close() {
        if (attached == null) stop(sc);
    }

    /**
     * Stops Spark after the tasks still running have ended (a job that failed leaves its other tasks
     * running; stopping under them makes Spark print the failures of their late callbacks), waiting
     * at most ten seconds.
     */
    public static void stop(JavaSparkContext sc) {
        try {
            sc.cancelAllJobs();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline && runningTasks(sc) > 0) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("Could not wait for running tasks before stopping Spark", e);
        } finally {
            sc.close();
        }
    }

    private static int runningTasks(JavaSparkContext sc) {
        int running = 0;
        for (var executor : sc.sc().statusTracker().getExecutorInfos()) {
            running += executor.numRunningTasks();
        }
        return running;
    }
}
