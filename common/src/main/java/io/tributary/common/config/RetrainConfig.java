package io.tributary.common.config;

import io.tributary.common.registry.Metric;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.tributary.common.config.RetrainKeys.*;

/**
 * The validated settings of {@code tributary retrain} beyond the training config.
 *
 * @param holdout a directory of IDX files, or {@code null} for the test split of the training data
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
        return new RetrainConfig(value(values, REGISTRY), optional(values, HOLDOUT), value(values, METRIC),
                value(values, MIN_IMPROVEMENT), optional(values, FLOOR), value(values, WARM_START),
                value(values, FORCE), value(values, VERSIONS_KEPT));
    }

    private static <T> T optional(Map<String, ?> values, ConfigKey<T> key) {
        return values.get(key.name()) == null ? null : key.parse(values.get(key.name()));
    }

    private static <T> T value(Map<String, ?> values, ConfigKey<T> key) {
        Object raw = values.get(key.name());
        return raw == null ? key.check(key.defaultValue()) : key.parse(raw);
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
