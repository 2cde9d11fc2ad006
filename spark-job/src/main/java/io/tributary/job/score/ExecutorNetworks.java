package io.tributary.job.score;

import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
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

    /** Idle networks by their configuration broadcast's id; broadcast ids only grow. */
    private static final TreeMap<Long, Deque<Network>> IDLE = new TreeMap<>();
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
            Deque<Network> idle = IDLE.get(conf.id());
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
            IDLE.computeIfAbsent(conf.id(), k -> new ArrayDeque<>()).push(net);
            while (IDLE.size() > MODELS_KEPT) {
                Map.Entry<Long, Deque<Network>> oldest = IDLE.firstEntry();
                IDLE.remove(oldest.getKey());
            }
        }
    }
}
