package io.tributary.job.train;

import io.tributary.common.io.JsonFields;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an epoch's averaging rounds spent their time, as the driver and the replicas measured it: what
 * the scaling model in docs/performance.md is fitted on. The seconds are sums over the epoch's rounds.
 *
 * @param rounds             the rounds this process trained in the epoch (fewer than the epoch's after a
 *                           resume within it)
 * @param replicas           the replicas averaged
 * @param stateBytes         the bytes of one round state or replica result (parameters and updater state, floats)
 * @param steps              the most minibatches a replica fitted in each round, summed: {@code slowestFitSeconds
 *                           / steps} is about a step's compute on the slowest replica
 * @param seconds            from the driver's snapshot and broadcast of each round's state to the averaged state
 *                           in the network
 * @param jobSeconds         the Spark job within it: task launch, the tasks, their results' transfer
 * @param slowestTaskSeconds each round's slowest replica task, from its start to its result (before Spark
 *                           serializes it): the state loaded, the minibatches fitted, the state copied out
 * @param slowestFitSeconds  each round's slowest replica's minibatch fits alone: the critical path's compute
 * @param averageSeconds     the driver's averaging of the results and loading of the average
 */
public record RoundTimes(int rounds, int replicas, long stateBytes, long steps, double seconds, double jobSeconds,
                         double slowestTaskSeconds, double slowestFitSeconds, double averageSeconds) {
    static final RoundTimes NONE = new RoundTimes(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** One round's seconds, as {@link RoundTimes} sums them. */
    record Round(double seconds, double jobSeconds, double slowestTaskSeconds, double slowestFitSeconds,
                 double averageSeconds) {
    }

    /** These times and one more round's, in which the slowest replica fitted {@code steps} minibatches. */
    RoundTimes plus(int replicas, long stateBytes, long steps, Round r) {
        return new RoundTimes(rounds + 1, replicas, stateBytes, this.steps + steps, seconds + r.seconds(),
                jobSeconds + r.jobSeconds(), slowestTaskSeconds + r.slowestTaskSeconds(),
                slowestFitSeconds + r.slowestFitSeconds(), averageSeconds + r.averageSeconds());
    }

    /** Reads back what {@link #toMap()} wrote. */
    public static RoundTimes from(JsonFields f) {
        return new RoundTimes((int) f.requiredWhole("rounds"), (int) f.requiredWhole("replicas"),
                f.requiredWhole("state_bytes"), f.requiredWhole("steps"), f.requiredNumber("seconds"),
                f.requiredNumber("job_seconds"), f.requiredNumber("slowest_task_seconds"),
                f.requiredNumber("slowest_fit_seconds"), f.requiredNumber("average_seconds"));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rounds", rounds);
        m.put("replicas", replicas);
        m.put("state_bytes", stateBytes);
        m.put("steps", steps);
        m.put("seconds", seconds);
        m.put("job_seconds", jobSeconds);
        m.put("slowest_task_seconds", slowestTaskSeconds);
        m.put("slowest_fit_seconds", slowestFitSeconds);
        m.put("average_seconds", averageSeconds);
        return m;
    }
}
