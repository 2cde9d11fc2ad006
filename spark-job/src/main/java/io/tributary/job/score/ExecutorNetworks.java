package io.tributary.job.score;

import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The networks an executor JVM scores with, built once per broadcast model and kept across tasks and
 * partitions. A network is not safe for concurrent inference, so a task borrows one for its
 * partition and gives it back: a JVM running N tasks at once builds N networks for a model, however
 * many partitions it scores. Only the newest {@value #MODELS_KEPT} models are kept, so a long-lived
 * executor (a Spark ML pipeline scoring again and again) does not accumulate them.
 */
public final class ExecutorNetworks {
    /** Models (broadcasts) whose networks are kept. */
    static final int MODELS_KEPT = 2;

    /**
     * Idle networks by their model: the Spark application and its configuration broadcast's id (a JVM
     * may see several applications one after the other, in local mode or tests, and each numbers its
     * broadcasts from 0), oldest first.
     */
    private static final Map<String, Deque<Network>> IDLE = new LinkedHashMap<>();
    private static final AtomicLong BUILT = new AtomicLong();

    private ExecutorNetworks() {
    }

    /** How many networks this JVM has built for scoring (for tests of "once per executor"). */
    public static long built() {
        return BUILT.get();
    }

    /** An idle network of the broadcast model, or a new one built from the broadcast configuration and parameters. */
    static Network borrow(Broadcast<String> conf, Broadcast<INDArray> params) {
        synchronized (IDLE) {
            Deque<Network> idle = IDLE.get(key(conf));
            if (idle != null && !idle.isEmpty()) {
                return idle.pop();
            }
        }
        // Built outside the lock: building takes a while and other models' tasks need not wait.
        Network net = NetworkConfig.fromTrustedJson(conf.value()).init(params.value().dup());
        BUILT.incrementAndGet();
        return net;
    }

    /** Gives a network back for the next task of the same model. */
    static void release(Broadcast<String> conf, Network net) {
        synchronized (IDLE) {
            IDLE.computeIfAbsent(key(conf), k -> new ArrayDeque<>()).push(net);
            for (Iterator<String> oldest = IDLE.keySet().iterator(); IDLE.size() > MODELS_KEPT; ) {
                oldest.next();
                oldest.remove();
            }
        }
    }

    /** The model a configuration broadcast stands for in this JVM: its application's id and the broadcast's. */
    private static String key(Broadcast<String> conf) {
        return SparkEnv.get().conf().getAppId() + "/" + conf.id();
    }
}
