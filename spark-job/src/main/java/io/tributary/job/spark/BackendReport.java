package io.tributary.job.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The ND4J backend one JVM actually loaded: CPU or CUDA, native variant, BLAS, threads, devices,
 * memory (heap, ND4J's limits, the container), and the GPUs Spark assigned to the task that looked. A plain serializable class
 * (Kryo 4 cannot serialize records).
 */
public final class BackendReport implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The executor id of the driver (Spark's SparkContext.DRIVER_IDENTIFIER, which Java cannot see). */
    private static final String DRIVER_ID = "driver";

    public final String executorId;
    public final String host;
    public final String backend;
    public final String backendClass;
    public final String platform;
    public final String nativeVariant;
    public final String blas;
    public final int threads;
    public final int devices;
    public final long heapMb;
    public final long maxBytesMb;
    public final long maxPhysicalBytesMb;
    /** The memory of the JVM's container where a cluster manager enforces it (YARN, Kubernetes), else -1. */
    public final long containerMb;
    /** Plain array: Kryo 4 cannot rebuild Java's immutable lists. */
    public final String[] sparkGpus;
    public final String cudaVisibleDevices;

    private BackendReport(String executorId) {
        this.executorId = executorId;
        this.host = hostName();
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        this.backend = Nd4j.getEnvironment().isCPU() ? "cpu" : "cuda";
        this.backendClass = Nd4j.getBackend().getClass().getName();
        this.platform = Loader.getPlatform();
        String extension = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
        this.nativeVariant = extension.isEmpty() ? "generic" : extension.replaceFirst("^-", "");
        this.blas = String.valueOf(env.getOrDefault("blas.vendor", "unknown"));
        this.threads = Nd4j.getEnvironment().maxThreads();
        this.devices = Nd4j.getAffinityManager().getNumberOfDevices();
        this.heapMb = Runtime.getRuntime().maxMemory() >> 20;
        this.maxBytesMb = Pointer.maxBytes() >> 20;
        this.maxPhysicalBytesMb = Pointer.maxPhysicalBytes() >> 20;
        this.containerMb = containerMb(executorId);
        this.sparkGpus = assignedGpus();
        this.cudaVisibleDevices = System.getenv("CUDA_VISIBLE_DEVICES");
    }

    /** Looks at this JVM; inside a task the executor's id and the task's GPUs are included. */
    public static BackendReport here() {
        SparkEnv env = SparkEnv.get();
        return new BackendReport(env == null ? "none" : env.executorId());
    }

    /**
     * The container an executor (or a cluster-mode driver) runs in: the heap plus the memory overhead
     * Spark asked the cluster manager for; -1 where no cluster manager enforces one.
     */
    private static long containerMb(String executorId) {
        SparkEnv env = SparkEnv.get();
        if (env == null) return -1;
        SparkConf conf = env.conf();
        String master = conf.get("spark.master", "");
        if (!master.equals("yarn") && !master.startsWith("k8s://")) return -1;
        if (!executorId.equals(DRIVER_ID)) return ContainerMemory.of(conf).containerMb();
        if (!"cluster".equals(conf.get("spark.submit.deployMode", "client"))) return -1;
        long heap = conf.getSizeAsMb("spark.driver.memory", "1g");
        // Spark's default overhead: a tenth of the heap, at least 384 MiB.
        return heap + conf.getSizeAsMb("spark.driver.memoryOverhead", Math.max(384, heap / 10) + "m");
    }

    private static String[] assignedGpus() {
        TaskContext task = TaskContext.get();
        if (task == null) return new String[0];
        ResourceInformation gpu = task.resources().get("gpu").getOrElse(() -> null);
        return gpu == null ? new String[0] : gpu.addresses();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    /**
     * One line for logs and the doctor's table; the GPU fields are always there ("none", "unset"), so
     * a missing assignment reads as such rather than as an omission.
     */
    public String line() {
        return String.format(Locale.ROOT,
                "executor %s on %s: %s backend (%s), %s native variant for %s, BLAS %s, %d threads, %d device(s),"
                        + " heap %d MiB, off-heap limit %d MiB (physical %d MiB), container %s, Spark GPUs %s,"
                        + " CUDA_VISIBLE_DEVICES%s",
                executorId, host, backend.toUpperCase(Locale.ROOT), backendClass, nativeVariant, platform, blas,
                threads, devices, heapMb, maxBytesMb, maxPhysicalBytesMb,
                containerMb < 0 ? "none" : containerMb + " MiB",
                sparkGpus.length == 0 ? "none" : Arrays.toString(sparkGpus),
                cudaVisibleDevices == null ? " unset" : "=" + cudaVisibleDevices);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("executor_id", executorId);
        m.put("host", host);
        m.put("backend", backend);
        m.put("backend_class", backendClass);
        m.put("platform", platform);
        m.put("native_variant", nativeVariant);
        m.put("blas", blas);
        m.put("threads", threads);
        m.put("devices", devices);
        m.put("heap_mb", heapMb);
        m.put("off_heap_limit_mb", maxBytesMb);
        m.put("physical_limit_mb", maxPhysicalBytesMb);
        m.put("container_mb", containerMb < 0 ? null : containerMb);
        m.put("spark_gpus", List.of(sparkGpus));
        m.put("cuda_visible_devices", cudaVisibleDevices);
        return m;
    }
}
