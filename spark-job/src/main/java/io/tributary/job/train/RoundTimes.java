package io.tributary.job.train;

import io.tributary.common.io.JsonFields;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an epoch's averaging rounds spent their time, as the driver and the replicas measured it: what
 * the scaling model in docs/performance.md is fitted on. Every figure is a sum over the epoch's rounds.
 * A round's {@code seconds} run from the driver's broadcast of its state to the averaged state in the
 * network; {@code job} is the Spark job within it (task launch, the tasks, their results' transfer);
 * {@code slowestTask} and {@code slowestFit} are the round's slowest replica task and slowest replica's
 * minibatch fits (the critical path's compute); {@code average} the driver's averaging and loading of
 * the results. {@code seconds - slowestFit} is what the round cost beyond computing.
 *
 * @param rounds     the rounds this process trained in the epoch (fewer than the epoch's after a resume
 *                   within it)
 * @param stateBytes the bytes of one round state or replica result (parameters and updater state, floats)
 * @param steps      the most minibatches a replica fitted in each round, summed: {@code slowestFit / steps}
 *                   is about a step's compute on the slowest replica
 */
public record RoundTimes(int rounds, int replicas, long stateBytes, long steps, double seconds, double jobSeconds,
                         double slowestTaskSeconds, double slowestFitSeconds, double averageSeconds) {
    static final RoundTimes NONE = new RoundTimes(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** These times and one more round's. */
    RoundTimes plus(int replicas, long stateBytes, long steps, double seconds, double jobSeconds,
                    double slowestTaskSeconds, double slowestFitSeconds, double averageSeconds) {
        return new RoundTimes(rounds + 1, replicas, stateBytes, this.steps + steps, this.seconds + seconds,
                this.jobSeconds + jobSeconds, this.slowestTaskSeconds + slowestTaskSeconds,
                this.slowestFitSeconds + slowestFitSeconds, this.averageSeconds + averageSeconds);
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
