package io.tributary.job.spark;

import io.tributary.common.InputException;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.internal.config.package$;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcEndpointAddress;
import org.apache.spark.rpc.RpcEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a standalone master whether it will talk to this application before Spark registers with it.
 * Spark's own registration blocks the context's start through three attempts of 20 s each, so a
 * master that has nothing listening, or that closes the connection of an application without the
 * cluster's secret, would be reported after a minute; asked here, through an RPC environment with the
 * application's own security settings, it is reported in a second.
 */
final class StandaloneMaster {
    private static final Logger log = LoggerFactory.getLogger(StandaloneMaster.class);
    /** How long one master may take to answer before the question is left to Spark's registration. */
    private static final int ANSWER_SECONDS = 15;

    private StandaloneMaster() {
    }

    /**
     * Looks up the {@code Master} endpoint of each master of a {@code spark://} URL (several for a
     * high-availability pair). Returns when one answers, when one has neither answered nor failed
     * within {@value #ANSWER_SECONDS} s, or for any other master; throws when every one failed.
     */
    static void requireAnswering(SparkConf conf) {
        String master = conf.get("spark.master", "");
        if (!master.startsWith("spark://")) return;
        RpcEnv rpc;
        try {
            SecurityManager security = new SecurityManager(conf, Option.empty(), package$.MODULE$.AUTH_SECRET_FILE());
            security.initializeAuth();
            rpc = RpcEnv.create("tributary-master-check", conf.get("spark.driver.host", "localhost"), 0, conf,
                    security, true);
        } catch (RuntimeException e) {
            // Settings Spark itself refuses (authentication without a secret): its start says so.
            log.debug("Not asking {} before the start", master, e);
            return;
        }
        List<String> failures = new ArrayList<>();
        try {
            for (String hostPort : master.substring("spark://".length()).split(",")) {
                String uri = new RpcEndpointAddress(RpcAddress.fromSparkURL("spark://" + hostPort), "Master").toString();
                try {
                    Await.result(rpc.asyncSetupEndpointRefByURI(uri), Duration.create(ANSWER_SECONDS, TimeUnit.SECONDS));
                    return;
                } catch (TimeoutException undecided) {
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    failures.add(hostPort + ": " + rootMessage(e));
                }
            }
        } finally {
            rpc.shutdown();
        }
        throw refused(master, " (" + String.join("; ", failures) + ")");
    }

    /** The one sentence for a master that did not take the application, with {@code why} after its URL. */
    static InputException refused(String master, String why) {
        return new InputException("Spark master " + master + " refused or did not answer the application" + why
                + "; check the master URL, that the master is running, and the cluster's authentication secret");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        // A refusal the master sends back carries its stack trace after the first line.
        return root.getMessage() != null ? root.getMessage().lines().findFirst().orElse("").strip()
                : root.getClass().getSimpleName();
    }
}
