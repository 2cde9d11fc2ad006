package io.tributary.job.train;

import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import org.apache.spark.broadcast.Broadcast;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The networks an executor JVM trains replicas with, built once per network configuration and kept
 * across rounds (and runs): a task borrows one, loads the round's state into it (which overwrites
 * everything a round reads: parameters, updater state, counters, random seed) and gives it back. A JVM
 * running N tasks at once builds N networks, however many replicas it trains in turn. Networks are
 * kept by their configuration's JSON, not by the broadcast's id, which a new Spark context in the same
 * JVM numbers from 0 again; only the {@value #CONFIGS_KEPT} configurations used last keep theirs (a
 * long-lived executor trains run after run).
 */
final class ReplicaNetworks {
    static final int CONFIGS_KEPT = 2;

    /** Idle networks by their configuration's JSON, the one used last at the end. */
    private static final LinkedHashMap<String, Deque<Network>> IDLE = new LinkedHashMap<>(4, 0.75f, true);

    private ReplicaNetworks() {
    }

    /** An idle network of the broadcast configuration, or a new one (its parameters are the caller's to set). */
    static Network borrow(Broadcast<String> conf) {
        String json = conf.value();
        synchronized (IDLE) {
            Deque<Network> idle = IDLE.get(json);
            if (idle != null && !idle.isEmpty()) {
                return idle.pop();
            }
        }
        // Built outside the lock: building takes a while, and other tasks need not wait.
        return NetworkConfig.fromTrustedJson(json).init(null);
    }

    /** Gives a network back for the next round; a task that failed does not (its network's state is unknown). */
    static void release(Broadcast<String> conf, Network net) {
        synchronized (IDLE) {
            IDLE.computeIfAbsent(conf.value(), k -> new ArrayDeque<>()).push(net);
            Iterator<Map.Entry<String, Deque<Network>>> oldest = IDLE.entrySet().iterator();
            while (IDLE.size() > CONFIGS_KEPT) {
                oldest.next();
                oldest.remove();
            }
        }
    }
}
