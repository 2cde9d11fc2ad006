package io.tributary.job.train;

import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import org.apache.spark.broadcast.Broadcast;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * The networks an executor JVM trains replicas with, built once per run's configuration and kept across
 * rounds: a task borrows one, loads the round's state into it (which overwrites everything a round
 * reads: parameters, updater state, counters, random seed) and gives it back. A JVM running N tasks at
 * once builds N networks, however many replicas it trains in turn. Only the newest
 * {@value #CONFIGS_KEPT} configurations' networks are kept (a long-lived executor trains run after run).
 */
final class ReplicaNetworks {
    static final int CONFIGS_KEPT = 2;

    /** Idle networks by their configuration broadcast's id; broadcast ids only grow. */
    private static final TreeMap<Long, Deque<Network>> IDLE = new TreeMap<>();

    private ReplicaNetworks() {
    }

    /** An idle network of the broadcast configuration, or a new one (its parameters are the caller's to set). */
    static Network borrow(Broadcast<String> conf) {
        synchronized (IDLE) {
            Deque<Network> idle = IDLE.get(conf.id());
            if (idle != null && !idle.isEmpty()) {
                return idle.pop();
            }
        }
        // Built outside the lock: building takes a while, and other tasks need not wait.
        return NetworkConfig.fromTrustedJson(conf.value()).init(null);
    }

    /** Gives a network back for the next round; a task that failed does not (its network's state is unknown). */
    static void release(Broadcast<String> conf, Network net) {
        synchronized (IDLE) {
            IDLE.computeIfAbsent(conf.id(), k -> new ArrayDeque<>()).push(net);
            while (IDLE.size() > CONFIGS_KEPT) {
                Map.Entry<Long, Deque<Network>> oldest = IDLE.firstEntry();
                IDLE.remove(oldest.getKey());
            }
        }
    }
}
