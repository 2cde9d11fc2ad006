package io.tributary.job.spark;

import io.tributary.common.config.ConfigException;
import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.util.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

import java.util.Locale;

/**
 * What an executor's container holds, in MiB: the Java heap ({@code spark.executor.memory}), ND4J's
 * off-heap arrays, at most JavaCPP's limit ({@code -Dorg.bytedeco.javacpp.maxbytes}), and the JVM's
 * own native memory ({@link #JVM_NATIVE_MB}: metaspace, compiled code, thread stacks, the garbage
 * collector's structures, native libraries and their buffers). A cluster manager that enforces
 * memory (YARN, Kubernetes) gives the container the heap plus {@code spark.executor.memoryOverhead},
 * so Tributary sizes that overhead from the other two, and sets JavaCPP's limit on the process's
 * physical memory ({@code -Dorg.bytedeco.javacpp.maxphysicalbytes}) to the container's size: ND4J
 * then refuses an allocation rather than grow the executor past what the cluster manager allows.
 *
 * <p>Each value the user set is kept; the others are derived from it: the off-heap limit from an
 * overhead set alone, the overhead from the off-heap limit (2 GiB unless set).
 *
 * @param heapMb          the Java heap
 * @param offHeapMb       ND4J's off-heap limit
 * @param overheadMb      what the container holds beyond the heap
 * @param physicalLimitMb JavaCPP's limit on the process's resident memory
 */
public record ContainerMemory(long heapMb, long offHeapMb, long overheadMb, long physicalLimitMb) {
    private static final Logger log = LoggerFactory.getLogger(ContainerMemory.class);
    /** The JVM's own native memory beside ND4J's arrays, measured under 600 MiB for an executor training the reference CNN. */
    public static final long JVM_NATIVE_MB = 1024;
    public static final long DEFAULT_OFF_HEAP_MB = 2048;
    /** The smallest off-heap limit derived from an overhead the user set. */
    static final long MIN_OFF_HEAP_MB = 256;
    public static final String HEAP_KEY = "spark.executor.memory";
    public static final String OVERHEAD_KEY = "spark.executor.memoryOverhead";
    static final String OPTIONS_KEY = "spark.executor.extraJavaOptions";
    static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";

    /** The container's size: the heap plus the overhead. */
    public long containerMb() {
        return heapMb + overheadMb;
    }

    /** Sizes the executors of {@code conf}, fills in what it leaves unset, and returns the sizes. */
    public static ContainerMemory applyToExecutors(SparkConf conf) {
        ContainerMemory sized = of(conf);
        if (!conf.contains(OVERHEAD_KEY)) {
            conf.set(OVERHEAD_KEY, sized.overheadMb + "m");
        }
        String options = conf.get(OPTIONS_KEY, "").trim();
        if (javaOption(options, MAX_BYTES) == null) {
            options += " -D" + MAX_BYTES + "=" + sized.offHeapMb + "m";
        }
        if (javaOption(options, MAX_PHYSICAL_BYTES) == null) {
            options += " -D" + MAX_PHYSICAL_BYTES + "=" + sized.physicalLimitMb + "m";
        }
        conf.set(OPTIONS_KEY, options.trim());
        if (sized.offHeapMb + JVM_NATIVE_MB > sized.overheadMb) {
            log.warn("ND4J may use {} MiB off-heap ({}) and the JVM about {} MiB of native memory beside it, more than the"
                            + " {} MiB of {}: a cluster manager that enforces containers' memory may kill executors; raise {}"
                            + " to {}m", sized.offHeapMb, MAX_BYTES, JVM_NATIVE_MB, sized.overheadMb, OVERHEAD_KEY,
                    OVERHEAD_KEY, sized.offHeapMb + JVM_NATIVE_MB);
        }
        log.info("Executor containers: heap {} MiB + overhead {} MiB = {} MiB; ND4J off-heap limit {} MiB, physical {} MiB",
                sized.heapMb, sized.overheadMb, sized.containerMb(), sized.offHeapMb, sized.physicalLimitMb);
        return sized;
    }

    /** The executors' sizes as {@code conf} sets or implies them, without changing it. */
    public static ContainerMemory of(SparkConf conf) {
        long heap = conf.getSizeAsMb(HEAP_KEY, "1g");
        String options = conf.get(OPTIONS_KEY, "");
        Long overhead = conf.contains(OVERHEAD_KEY) ? conf.getSizeAsMb(OVERHEAD_KEY) : null;
        Long offHeap = megabytes(javaOption(options, MAX_BYTES), heap);
        if (offHeap == null) {
            offHeap = overhead == null ? DEFAULT_OFF_HEAP_MB : Math.max(MIN_OFF_HEAP_MB, overhead - JVM_NATIVE_MB);
        }
        if (overhead == null) {
            overhead = offHeap + JVM_NATIVE_MB;
        }
        Long physical = megabytes(javaOption(options, MAX_PHYSICAL_BYTES), heap);
        return new ContainerMemory(heap, offHeap, overhead, physical == null ? heap + overhead : physical);
    }

    /** The value of {@code -Dname=value} in a Java options string (split as Spark splits it), or null. */
    static String javaOption(String options, String name) {
        String prefix = "-D" + name + "=";
        String value = null;
        for (String option : JavaConverters.seqAsJavaList(Utils.splitCommandString(options))) {
            if (option.startsWith(prefix)) value = option.substring(prefix.length());
        }
        return value;
    }

    /** A JavaCPP size (bytes, or with a k/m/g/t suffix, or a percentage of the heap) in MiB; null for null. */
    static Long megabytes(String javacppSize, long heapMb) {
        if (javacppSize == null) return null;
        String size = javacppSize.trim().toLowerCase(Locale.ROOT);
        try {
            if (size.endsWith("%")) {
                return Long.parseLong(size.substring(0, size.length() - 1)) * heapMb / 100;
            }
            return JavaUtils.byteStringAsBytes(size.matches("\\d+") ? size + "b" : size) >> 20;
        } catch (NumberFormatException e) {
            throw new ConfigException(OPTIONS_KEY, javacppSize, "JavaCPP's sizes are bytes, or a number with k, m, g"
                    + " or t, or a percentage of the heap");
        }
    }
}
