package io.tributary.job.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the Spark context of a Tributary command (train, predict, evaluate, convert, doctor), logging
 * at WARN.
 *
 * <p>In YARN client mode Spark 3.5 can fail to start with Jetty's {@code No filter named
 * org.apache.hadoop.yarn.server.webproxy.amfilter.AmIpFilter}. The application master registers,
 * then sends the driver its web-proxy filter; the driver adds that filter to the web UI's handlers on
 * an RPC thread ({@code YarnSchedulerBackend.addWebUIFilter}) while {@code SparkContext}'s constructor,
 * no longer waiting for the master, attaches and starts the same handlers on the main thread
 * ({@code SparkUI.attachAllHandlers}), under another lock. When the two meet, a handler starts with
 * the filter's mapping but not the filter. The failed context has stopped itself and its YARN
 * application, and the race needs the master's message to land within that short window, so the
 * context is started once more, and only for that error.
 */
public final class SparkContexts {
    private static final Logger log = LoggerFactory.getLogger(SparkContexts.class);
    static final String LOST_FILTER = "No filter named org.apache.hadoop.yarn.server.webproxy.amfilter.AmIpFilter";

    private SparkContexts() {
    }

    public static JavaSparkContext start(SparkConf conf) {
        JavaSparkContext sc;
        try {
            sc = new JavaSparkContext(conf);
        } catch (Exception e) {
            if (!lostYarnUiFilter(e)) throw e;
            log.warn("Spark's web UI lost YARN's proxy filter while starting (\"{}\", a race in Spark 3.5 between "
                    + "the application master's filter and the UI's start); the application was stopped, starting "
                    + "Spark once more", LOST_FILTER);
            sc = new JavaSparkContext(conf);
        }
        sc.setLogLevel("WARN");
        return sc;
    }

    /** Whether {@code e}, or an exception it wraps, is Jetty's refusal of a handler that lost YARN's filter. */
    static boolean lostYarnUiFilter(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException && LOST_FILTER.equals(t.getMessage())) return true;
        }
        return false;
    }
}
