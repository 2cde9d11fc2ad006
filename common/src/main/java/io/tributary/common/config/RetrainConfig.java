package io.tributary.common.config;


import java.util.LinkedHashMap;
import java.util.Map;

import static io.tributary.common.config.RetrainKeys.*;

/**
 * The validated settings of {@code tributary retrain} beyond the training config.
 *
 * @param holdout a dataset location in any format {@code train} reads, or {@code null} for the test
 *                split of the training data
 * @param floor   the metric no model is promoted without, or {@code null} for none
 */
public record RetrainConfig(String registry, String holdout, Metric metric, double minImprovement, Double floor,
                            boolean warmStart, boolean force, int versionsKept) {

    public RetrainConfig {
        REGISTRY.check(registry);
        if (holdout != null) HOLDOUT.check(holdout);
        METRIC.check(metric);
        MIN_IMPROVEMENT.check(minImprovement);
        if (floor != null) FLOOR.check(floor);
        VERSIONS_KEPT.check(versionsKept);
    }

    /** Builds the settings from key/value pairs (flags); keys not given take their defaults. */
    public static RetrainConfig fromValues(Map<String, ?> values) {
        return new RetrainConfig(REGISTRY.valueIn(values), HOLDOUT.optionalIn(values), METRIC.valueIn(values),
                MIN_IMPROVEMENT.valueIn(values), FLOOR.optionalIn(values), WARM_START.valueIn(values),
                FORCE.valueIn(values), VERSIONS_KEPT.valueIn(values));
    }


    /** The settings with the keys' names, for history lines. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(REGISTRY.name(), registry);
        m.put(HOLDOUT.name(), holdout);
        m.put(METRIC.name(), metric.label());
        m.put(MIN_IMPROVEMENT.name(), minImprovement);
        m.put(FLOOR.name(), floor);
        m.put(WARM_START.name(), warmStart);
        m.put(FORCE.name(), force);
        m.put(VERSIONS_KEPT.name(), versionsKept);
        return m;
    }
}
