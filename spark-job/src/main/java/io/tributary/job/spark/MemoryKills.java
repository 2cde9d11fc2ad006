package io.tributary.job.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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
 */
public final class MemoryKills extends SparkListener {
    /** Spark's note of YARN's diagnostics (YarnAllocator): "X GB of Y GB physical memory used". */
    private static final Pattern YARN_PHYSICAL = Pattern.compile(
            "Container killed by YARN for exceeding physical memory limits.*?([0-9.]+ [KMGT]?B) of [0-9.]+ [KMGT]?B"
                    + " physical memory used");
    private static final AtomicReference<String> FIRST = new AtomicReference<>();
    private static final AtomicInteger KILLED = new AtomicInteger();

    private final ContainerMemory sizes;

    /** Spark creates it with the application's configuration, which holds the executors' sizes. */
    public MemoryKills(SparkConf conf) {
        this.sizes = ContainerMemory.of(conf);
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        Matcher m = YARN_PHYSICAL.matcher(String.valueOf(removed.reason()));
        if (!m.find()) return;
        KILLED.incrementAndGet();
        FIRST.compareAndSet(null, "Executor " + removed.executorId() + " used " + m.group(1) + " of physical memory, over"
                + " the " + sizes.containerMb() + " MiB of its YARN container (heap " + sizes.heapMb() + " MiB plus "
                + ContainerMemory.OVERHEAD_KEY + " " + sizes.overheadMb() + " MiB), and YARN killed it");
    }

    /** Registers the listener in {@code conf}'s {@code spark.extraListeners}, keeping any the user set. */
    static void register(SparkConf conf) {
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
        int killed = KILLED.get();
        return Optional.of(first + (killed > 1 ? " (" + killed + " executors in all)" : "") + "; raise "
                + ContainerMemory.OVERHEAD_KEY);
    }
}
