package io.tributary.tests;

import io.tributary.common.config.ConfigException;
import io.tributary.job.spark.ContainerMemory;
import io.tributary.job.spark.MemoryKills;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.util.Utils;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * How executors' containers are sized from ND4J's off-heap limit and the heap (what is set is kept,
 * the rest derived), and the one sentence that a run whose executors YARN killed for memory ends with.
 */
class ContainerMemoryTest {

    static SparkConf conf(String... keyValues) {
        SparkConf conf = new SparkConf(false);
        for (int i = 0; i < keyValues.length; i += 2) conf.set(keyValues[i], keyValues[i + 1]);
        return conf;
    }

    static List<String> options(SparkConf conf) {
        return JavaConverters.seqAsJavaList(Utils.splitCommandString(conf.get("spark.executor.extraJavaOptions")));
    }

    @Test
    void theOverheadIsTheOffHeapLimitAndTheJvmsNativeMemoryAndThePhysicalLimitTheContainer() {
        SparkConf conf = conf("spark.executor.memory", "1g",
                "spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector -Dorg.bytedeco.javacpp.maxbytes=2G");
        ContainerMemory sized = ContainerMemory.applyToExecutors(conf);
        assertEquals(new ContainerMemory(1024, 2048, 2048 + ContainerMemory.JVM_NATIVE_MB, 1024 + 2048 + ContainerMemory.JVM_NATIVE_MB), sized);
        assertEquals(4096, sized.containerMb());
        assertEquals("3072m", conf.get("spark.executor.memoryOverhead"));
        assertEquals(List.of("--add-modules=jdk.incubator.vector", "-Dorg.bytedeco.javacpp.maxbytes=2G",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=4096m"), options(conf));
    }

    @Test
    void withNothingSetTheOffHeapLimitIsTwoGibAndTheHeapSparksDefault() {
        SparkConf conf = conf();
        ContainerMemory sized = ContainerMemory.applyToExecutors(conf);
        assertEquals(new ContainerMemory(1024, 2048, 3072, 4096), sized);
        assertEquals(List.of("-Dorg.bytedeco.javacpp.maxbytes=2048m", "-Dorg.bytedeco.javacpp.maxphysicalbytes=4096m"),
                options(conf));
    }

    @Test
    void anOverheadSetAloneBoundsNd4jsOffHeapLimit() {
        SparkConf conf = conf("spark.executor.memory", "2g", "spark.executor.memoryOverhead", "3g");
        assertEquals(new ContainerMemory(2048, 2048, 3072, 5120), ContainerMemory.applyToExecutors(conf));
        assertEquals("3g", conf.get("spark.executor.memoryOverhead"), "what the user set is kept");
        // Too small to leave ND4J anything after the JVM's own memory: the smallest limit, not none (0 = unlimited).
        assertEquals(256, ContainerMemory.of(conf("spark.executor.memoryOverhead", "512m")).offHeapMb());
    }

    @Test
    void valuesTheUserSetAreKeptEvenWhenTheyDoNotFit() {
        SparkConf conf = conf("spark.executor.memory", "1g", "spark.executor.memoryOverhead", "128m",
                "spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=2G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G");
        assertEquals(new ContainerMemory(1024, 2048, 128, 16384), ContainerMemory.applyToExecutors(conf));
        assertEquals("128m", conf.get("spark.executor.memoryOverhead"));
        assertEquals(2, options(conf).size(), "nothing added: " + options(conf));
    }

    @Test
    void javacppSizesAsJavacppReadsThem() {
        // Bytes without a unit, a percentage of the heap, options split as Spark splits them (quotes kept whole).
        assertEquals(1024, ContainerMemory.of(conf("spark.executor.extraJavaOptions",
                "-Dorg.bytedeco.javacpp.maxbytes=1073741824")).offHeapMb());
        assertEquals(512, ContainerMemory.of(conf("spark.executor.memory", "1g", "spark.executor.extraJavaOptions",
                "-Dorg.bytedeco.javacpp.maxbytes=50%")).offHeapMb());
        assertEquals(1536, ContainerMemory.of(conf("spark.executor.extraJavaOptions",
                "'-Dpath=/opt/a b' -Dorg.bytedeco.javacpp.maxbytes=1536m")).offHeapMb());
        ConfigException e = assertThrows(ConfigException.class, () -> ContainerMemory.of(conf(
                "spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=lots")));
        assertEquals("Invalid value lots for configuration spark.executor.extraJavaOptions: JavaCPP's sizes are bytes, or a"
                + " number with k, m, g or t, or a percentage of the heap", e.getMessage());
    }

    /**
     * The reasons Spark 3.5's YARN allocator gives for a lost executor: a process that died (SIGKILL)
     * is not a memory kill; YARN's physical memory kill is, and the sentence names the executor, its
     * use, its container and the key to raise.
     */
    @Test
    void onlyAKillForPhysicalMemoryExplainsAFailedRun() {
        // No SparkContext here to cancel: only the sentence is under test (MemoryKillsTest cancels a real run's jobs).
        MemoryKills kills = new MemoryKills(conf("spark.executor.memory", "1g", "spark.executor.memoryOverhead", "128m",
                MemoryKills.LIMIT_KEY, "0"));
        kills.onExecutorRemoved(new SparkListenerExecutorRemoved(1L, "2", "Container from a bad node: "
                + "container_1_0001_01_000003 on host: localhost. Exit status: 137. Diagnostics: [2026-12-06 06:07:35.287]"
                + "Container killed on request. Exit code is 137\n[2026-12-06 06:07:35.288]Killed by external signal\n."));
        assertEquals(Optional.empty(), MemoryKills.explanation());
        for (String executor : new String[] {"1", "3"}) {
            kills.onExecutorRemoved(new SparkListenerExecutorRemoved(2L, executor, "Container killed by YARN for exceeding"
                    + " physical memory limits.  1.2 GB of 1.1 GB physical memory used. Consider boosting"
                    + " spark.executor.memoryOverhead."));
        }
        assertEquals(Optional.of("Executor 1 used 1.2 GB of physical memory, over the 1152 MiB of its YARN container (heap"
                + " 1024 MiB plus spark.executor.memoryOverhead 128 MiB), and YARN killed it (2 executors in all); raise"
                + " spark.executor.memoryOverhead"), MemoryKills.explanation());
    }
}
