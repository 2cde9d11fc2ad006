package io.tributary.job.spark;

import io.tributary.common.config.ConfigException;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.Map;

/**
 * Where a driver listens. A local run keeps every port on the loopback interface: the driver's RPC
 * and block manager through {@code spark.driver.bindAddress}; the web UI, which Spark 3.5 binds to the
 * {@code SPARK_LOCAL_IP} environment variable or else to every interface ({@code WebUI.initServer}),
 * only through that variable, which {@code bin/tributary} exports for local runs. A local run started
 * some other way, without the variable, gets no UI rather than one open to the network. No UI ever
 * offers to kill jobs. Cluster runs bind as the cluster manager needs.
 */
final class DriverBinding {
    private static final Logger log = LoggerFactory.getLogger(DriverBinding.class);
    static final String LOOPBACK = "127.0.0.1";
    /** Set to 1 by bin/tributary when it exported SPARK_LOCAL_IP=127.0.0.1 itself (the user did not). */
    static final String LAUNCHER_LOOPBACK_ENV = "TRIBUTARY_LOOPBACK";

    private DriverBinding() {
    }

    /** Sets the binding of {@code conf}, whose master is set, for a JVM with environment {@code env}. */
    static void apply(SparkConf conf, Map<String, String> env) {
        conf.set("spark.ui.killEnabled", "false");
        String master = conf.get("spark.master");
        if (SparkConfs.isLocal(master)) {
            conf.setIfMissing("spark.driver.bindAddress", LOOPBACK);
            conf.setIfMissing("spark.driver.host", LOOPBACK);
            if (env.get("SPARK_LOCAL_IP") == null && !conf.contains("spark.ui.enabled")) {
                log.warn("SPARK_LOCAL_IP is not set, so Spark's web UI would listen on every interface; starting"
                        + " without it (bin/tributary sets SPARK_LOCAL_IP=127.0.0.1 for local runs)");
                conf.set("spark.ui.enabled", "false");
            }
        } else if ("1".equals(env.get(LAUNCHER_LOOPBACK_ENV)) && !conf.contains("spark.driver.host")
                && !loopbackHost(master)) {
            // bin/tributary saw no cluster master on its command line (this one came from a config file)
            // and bound the driver to 127.0.0.1, where executors on other machines cannot reach it.
            throw new ConfigException("master", master, "a cluster master must be given to bin/tributary as"
                    + " --master on its command line (it binds local runs to 127.0.0.1), or with"
                    + " SPARK_LOCAL_IP set to this machine's address on the cluster's network");
        }
    }

    /** A master on this machine's loopback interface (the local cluster's), judged without a DNS lookup. */
    private static boolean loopbackHost(String master) {
        try {
            String host = URI.create(master).getHost();
            return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
        } catch (IllegalArgumentException notAUri) {
            return false;
        }
    }
}
