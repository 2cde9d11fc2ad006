package io.tributary.common.config;


import java.util.List;

/** The keys of {@code tributary retrain} beyond the training keys; long flags of the same names. */
public final class RetrainKeys {
    private RetrainKeys() {
    }

    public static final ConfigKey<String> REGISTRY = ConfigKey.stringKey("registry", null,
            "Model registry (local path or Hadoop URI): models/<version>/, champion, history.jsonl.");
    public static final ConfigKey<String> HOLDOUT = ConfigKey.stringKey("holdout", null,
            "Data the champion and challenger are compared on, in any format --data takes (of an IDX directory, its t10k test split); by default --data.");
    public static final ConfigKey<Metric> METRIC = ConfigKey.enumKey("metric", Metric.ACCURACY, Metric.class,
            Metric::label, "Holdout metric that decides promotion.");
    public static final ConfigKey<Double> MIN_IMPROVEMENT = ConfigKey.doubleKeyInclusive("min-improvement", 0.002, 0.0, 1.0,
            "How much better than the champion's the challenger's metric must be to be promoted.");
    public static final ConfigKey<Double> FLOOR = ConfigKey.doubleKeyInclusive("floor", null, 0.0, 1_000_000.0,
            "The metric no model is promoted without (at least this accuracy or macro-f1, at most this loss), the first model included; by default none.");
    public static final ConfigKey<Boolean> WARM_START = ConfigKey.booleanKey("warm-start", false,
            "Start the challenger from the champion's parameters instead of a fresh initialisation.");
    public static final ConfigKey<Boolean> FORCE = ConfigKey.booleanKey("force", false,
            "Retrain even when the data's fingerprint equals that of the last retraining.");
    public static final ConfigKey<Integer> VERSIONS_KEPT = ConfigKey.intKey("versions-kept", 5, 1, 100_000,
            "The newest versions kept; older ones are pruned unless they were ever champion.");

    /** All keys, in documentation order. */
    public static final List<ConfigKey<?>> ALL = List.of(REGISTRY, HOLDOUT, METRIC, MIN_IMPROVEMENT, FLOOR, WARM_START,
            FORCE, VERSIONS_KEPT);
}
