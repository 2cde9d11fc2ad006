package io.tributary.job.spark;

import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where Tributary's Spark configuration is built. The master comes from the job's
 * config when given, else from spark-submit, else {@code local[*]}; everything else is what DL4J
 * on Spark 3.5 needs on every cluster, where the driver listens ({@link DriverBinding}) and, on a
 * cluster, the executors' memory ({@link ContainerMemory}) and the listener that tells a run killed
 * for memory ({@link MemoryKills}). A standalone master that will not take the application is
 * refused here, in a second ({@link StandaloneMaster}).
 */
public final class SparkConfs {
    public static final String DEFAULT_LOCAL_MASTER = "local[*]";

    private SparkConfs() {
    }

    /**
     * @param appName the application name shown in the Spark UI
     * @param master  an explicit master URL, or {@code null}
     */
    public static SparkConf build(String appName, String master) {
        SparkConf conf = new SparkConf(true).setAppName(appName);
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster(DEFAULT_LOCAL_MASTER);
        }
        conf.set("spark.serializer", KryoSerializer.class.getName());
        conf.set("spark.kryo.registrator", TributaryKryoRegistrator.class.getName());
        // A Kryo stream may only name registered classes (TributaryKryoRegistrator lists them).
        conf.set("spark.kryo.registrationRequired", "true");
        conf.setIfMissing("spark.kryoserializer.buffer.max", "512m");
        DriverBinding.apply(conf, System.getenv());
        TributaryPlugin.register(conf);
        if (!isLocal(conf.get("spark.master"))) {
            ContainerMemory.applyToExecutors(conf);
            MemoryKills.register(conf);
        }
        useSystemClock();
        StandaloneMaster.requireAnswering(conf);
        return conf;
    }

    /** DL4J's training-stats timing would otherwise query an NTP server from the driver. */
    public static void useSystemClock() {
        System.setProperty("org.deeplearning4j.spark.time.TimeSource",
                "org.deeplearning4j.spark.time.SystemClockTimeSource");
    }

    /**
     * Hadoop settings as Spark passes them ({@code spark.hadoop.*}), for use before a SparkContext
     * exists, with Tributary's bounds on connection retries and its default umask.
     */
    public static Configuration hadoopConf(SparkConf sparkConf) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (scala.Tuple2<String, String> kv : sparkConf.getAll()) settings.put(kv._1(), kv._2());
        return hadoopConf(settings);
    }

    /**
     * The same from the JVM's {@code spark.hadoop.*} system properties (what {@code new SparkConf()}
     * would read), for commands that only touch files and so load no Spark classes at all.
     */
    public static Configuration hadoopConf() {
        Map<String, String> settings = new LinkedHashMap<>();
        System.getProperties().stringPropertyNames().forEach(k -> settings.put(k, System.getProperty(k)));
        return hadoopConf(settings);
    }

    private static Configuration hadoopConf(Map<String, String> sparkSettings) {
        Configuration conf = new Configuration();
        sparkSettings.forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) conf.set(k.substring("spark.hadoop.".length()), v);
        });
        return HadoopFs.bounded(conf);
    }

    /** True for {@code local}, {@code local[N]}, {@code local[*]} and {@code local[N,F]} masters. */
    public static boolean isLocal(String master) {
        return master.equals("local") || master.startsWith("local[");
    }

    /** The number of task threads of a local master, or -1 for a cluster master. */
    public static int localThreads(String master) {
        if (master.equals("local")) return 1;
        if (!master.startsWith("local[")) return -1;
        String inner = master.substring("local[".length(), master.indexOf(']'));
        int comma = inner.indexOf(',');
        if (comma >= 0) inner = inner.substring(0, comma);
        return inner.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(inner.trim());
    }
}
