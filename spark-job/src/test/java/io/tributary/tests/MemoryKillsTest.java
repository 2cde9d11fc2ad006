package io.tributary.tests;

import io.tributary.common.config.ConfigException;
import io.tributary.job.spark.MemoryKills;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run whose executors YARN keeps killing for memory is cancelled at the limit's kill
 * ({@link MemoryKills#LIMIT_KEY}, executors counted once however often Spark tells of their loss), not
 * retried in containers of the same size until Spark gives up.
 * The kills are YARN's reasons as Spark 3.5 reports them, told to the listener of a real local
 * SparkContext while one of its jobs runs.
 */
class MemoryKillsTest {
    private static SparkListenerExecutorRemoved killed(String executor) {
        return new SparkListenerExecutorRemoved(System.currentTimeMillis(), executor, "Container killed by YARN for"
                + " exceeding physical memory limits.  1.2 GB of 1.1 GB physical memory used. Consider boosting"
                + " spark.executor.memoryOverhead.");
    }

    @Test
    void theSecondKillCancelsTheRunningJob() throws Exception {
        SparkConf conf = new SparkConf(false).setMaster("local[1]").setAppName("memory-kills")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            MemoryKills kills = new MemoryKills(new SparkConf(false).set("spark.executor.memory", "1g")
                    .set("spark.executor.memoryOverhead", "128m"));
            sc.setJobGroup("long", "a task that would run for a minute", true);
            CompletableFuture<List<Integer>> job = CompletableFuture.supplyAsync(() -> sc.parallelize(List.of(1), 1)
                    .map(i -> {
                        Thread.sleep(60_000);
                        return i;
                    }).collect());
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (sc.statusTracker().getActiveJobIds().length == 0) {
                assertFalse(job.isDone() || System.nanoTime() > deadline, "the job never ran: " + job);
                Thread.sleep(20);
            }

            kills.onExecutorRemoved(killed("1"));
            kills.onExecutorRemoved(killed("1"));
            assertThrows(TimeoutException.class, () -> job.get(2, TimeUnit.SECONDS),
                    "one executor killed, heard of twice, is retried");

            long start = System.nanoTime();
            kills.onExecutorRemoved(killed("2"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> job.get(30, TimeUnit.SECONDS));
            assertInstanceOf(SparkException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("cancel"), e.getCause().getMessage());
            assertTrue(System.nanoTime() - start < 20_000_000_000L, "cancelled, not run out");
            assertEquals("Executor 1 used 1.2 GB of physical memory, over the 1152 MiB of its YARN container (heap 1024"
                    + " MiB plus spark.executor.memoryOverhead 128 MiB), and YARN killed it (2 executors in all); raise"
                    + " spark.executor.memoryOverhead", MemoryKills.explanation().orElseThrow());
            assertFalse(sc.sc().isStopped(), "the run's own error handling stops Spark, not the listener");
        }
    }

    @Test
    void aLimitThatIsNotAWholeNumberOfAtLeastZeroIsRefused() {
        for (String bad : List.of("-1", "two", "1.5")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> new MemoryKills(new SparkConf(false).set(MemoryKills.LIMIT_KEY, bad)));
            assertEquals("Invalid value " + bad + " for configuration " + MemoryKills.LIMIT_KEY + ": the executors killed"
                    + " for memory after which the run is cancelled, a whole number of at least 0 (0: retry as Spark"
                    + " does)", e.getMessage());
        }
    }
}
