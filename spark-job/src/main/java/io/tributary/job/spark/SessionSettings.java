package io.tributary.job.spark;

import io.tributary.common.config.TrainKeys;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings a Spark session that Tributary did not start (a Spark ML pipeline's, a notebook's)
 * needs before Tributary trains in it: Kryo with Tributary's registrator, and, for shared gradients,
 * Tributary's executor plugin with the Aeron directory. Spark reads them when the session and its
 * executors start, so they are given then: {@code spark-shell --conf KEY=VALUE}, or
 * {@link #apply(SparkSession.Builder)}.
 */
public final class SessionSettings {
    private SessionSettings() {
    }

    /** Every setting, as {@code --conf} takes them. */
    public static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spark.serializer", KryoSerializer.class.getName());
        m.put("spark.kryo.registrator", TributaryKryoRegistrator.class.getName());
        m.put("spark.plugins", TributaryPlugin.class.getName());
        m.put(TributaryPlugin.AERON_DIR_CONF, TrainKeys.SHARED_AERON_DIR.defaultValue());
        return m;
    }

    /** {@code builder} with every setting. */
    public static SparkSession.Builder apply(SparkSession.Builder builder) {
        SparkConf conf = new SparkConf(true);
        all().forEach(conf::set);
        return builder.config(conf);
    }

    /** The settings {@code conf} lacks, as {@code KEY=VALUE}, for parameter averaging or shared gradients. */
    public static List<String> missing(SparkConf conf, boolean sharedGradients) {
        List<String> missing = new ArrayList<>();
        Map<String, String> all = all();
        if (!all.get("spark.serializer").equals(conf.get("spark.serializer", ""))) {
            missing.add("spark.serializer=" + all.get("spark.serializer"));
        }
        if (!listed(conf, "spark.kryo.registrator", TributaryKryoRegistrator.class.getName())) {
            missing.add("spark.kryo.registrator=" + all.get("spark.kryo.registrator"));
        }
        if (sharedGradients && !listed(conf, "spark.plugins", TributaryPlugin.class.getName())) {
            missing.add("spark.plugins=" + all.get("spark.plugins"));
        }
        if (sharedGradients && !conf.contains(TributaryPlugin.AERON_DIR_CONF)) {
            missing.add(TributaryPlugin.AERON_DIR_CONF + "=" + all.get(TributaryPlugin.AERON_DIR_CONF));
        }
        return missing;
    }

    private static boolean listed(SparkConf conf, String key, String className) {
        return Arrays.stream(conf.get(key, "").split(",")).map(String::trim).anyMatch(className::equals);
    }
}
