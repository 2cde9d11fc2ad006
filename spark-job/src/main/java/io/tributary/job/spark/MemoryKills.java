package io.tributary.job.spark;

import io.tributary.common.config.ConfigException;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The executors YARN killed for using more physical memory than their containers hold, as the driver
 * heard of their loss. A run that fails after such a kill fails because of it, whatever exception
 * the job ended with (a task that failed too often, the application master giving up on lost
 * executors); {@link #explanation} says so in one sentence: which executor, what it used against its
 * limit, and the key that raises the limit. {@link SparkConfs} registers it for every cluster master
 * ({@code spark.extraListeners}); a JVM runs one Tributary command, so what it heard is kept for the
 * JVM.
 *
 * <p>Every replica of a run trains the same network on as many examples, so an executor that outgrew
 * its container once outgrows the next one of the same size too: Spark would go on replacing
 * executors and retrying their tasks (four failures of one task, or of the application master's
 * executors) for minutes of the cluster's time. Once {@value #LIMIT_KEY} executors (2 unless set; 0:
 * leave it to Spark's retries) have been killed for memory, the application's jobs are cancelled and
 * the run ends with that sentence.
 */
public final class MemoryKills extends SparkListener {
    /** Spark conf key: executors killed for memory after which the run's jobs are cancelled; 0 for never. */
    public static final String LIMIT_KEY = "spark.tributary.memoryKillsToFail";
    static final int DEFAULT_LIMIT = 2;
    private static final Logger log = LoggerFactory.getLogger(MemoryKills.class);
    /** Spark's note of YARN's diagnostics (YarnAllocator): "X GB of Y GB physical memory used". */
    private static final Pattern YARN_PHYSICAL = Pattern.compile(
            "Container killed by YARN for exceeding physical memory limits.*?([0-9.]+ [KMGT]?B) of [0-9.]+ [KMGT]?B"
                    + " physical memory used");
    private static final AtomicReference<String> FIRST = new AtomicReference<>();
    /** The executors killed, by id: Spark may tell of one executor's loss more than once. */
    private static final Set<String> KILLED = ConcurrentHashMap.newKeySet();

    private final ContainerMemory sizes;
    private final int limit;

    /** Spark creates it with the application's configuration, which holds the executors' sizes. */
    public MemoryKills(SparkConf conf) {
        this.sizes = ContainerMemory.of(conf);
        this.limit = limit(conf);
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        Matcher m = YARN_PHYSICAL.matcher(String.valueOf(removed.reason()));
        if (!m.find()) return;
        FIRST.compareAndSet(null, "Executor " + removed.executorId() + " used " + m.group(1) + " of physical memory, over"
                + " the " + sizes.containerMb() + " MiB of its YARN container (heap " + sizes.heapMb() + " MiB plus "
                + ContainerMemory.OVERHEAD_KEY + " " + sizes.overheadMb() + " MiB), and YARN killed it");
        if (KILLED.add(removed.executorId()) && KILLED.size() == limit) {
            cancelAllJobs();
        }
    }

    /**
     * Cancels the jobs of the application's context: the active one, once its constructor has ended
     * (never a new one; a kill heard while the context starts or stops cancels nothing, and the run
     * ends as Spark's retries end it).
     */
    private void cancelAllJobs() {
        Option<SparkContext> active = SparkContext$.MODULE$.getActive();
        if (active.isEmpty() || active.get().isStopped()) {
            log.warn("YARN killed {} executors for memory ({}), and no running Spark application is there to cancel",
                    limit, LIMIT_KEY);
            return;
        }
        try {
            active.get().cancelAllJobs();
            log.error("YARN killed {} executors for memory ({}); cancelled the application's jobs rather than retrying"
                    + " in containers of the same size", limit, LIMIT_KEY);
        } catch (IllegalStateException stopping) {
            log.warn("YARN killed {} executors for memory ({}); the application stopped before its jobs were cancelled",
                    limit, LIMIT_KEY);
        }
    }

    /** {@value #LIMIT_KEY} of {@code conf}: a whole number, at least 0. */
    static int limit(SparkConf conf) {
        String value = conf.get(LIMIT_KEY, String.valueOf(DEFAULT_LIMIT)).trim();
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 0) return limit;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ConfigException(LIMIT_KEY, value, "the executors killed for memory after which the run is cancelled,"
                + " a whole number of at least 0 (0: retry as Spark does)");
    }

    /** Registers the listener in {@code conf}'s {@code spark.extraListeners}, keeping any the user set; checks its limit. */
    static void register(SparkConf conf) {
        limit(conf);
        String existing = conf.get("spark.extraListeners", "").trim();
        String name = MemoryKills.class.getName();
        if (!existing.contains(name)) {
            conf.set("spark.extraListeners", existing.isEmpty() ? name : existing + "," + name);
        }
    }

    /** Why a run failed, when YARN killed executors for memory during it: one sentence naming the key to raise. */
    public static Optional<String> explanation() {
        String first = FIRST.get();
        if (first == null) return Optional.empty();
        int killed = KILLED.size();
        return Optional.of(first + (killed > 1 ? " (" + killed + " executors in all)" : "") + "; raise "
                + ContainerMemory.OVERHEAD_KEY);
    }
}
