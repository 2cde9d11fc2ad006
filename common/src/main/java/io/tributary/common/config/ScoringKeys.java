package io.tributary.common.config;

import java.util.List;

/**
 * The keys of scoring with a trained model ({@code evaluate}, {@code predict} and the Spark ML model's
 * {@code scoringBatchSize}), each declared once with its default and rule, as {@link TrainKeys} are.
 */
public final class ScoringKeys {
    private ScoringKeys() {
    }

    /** The most examples a scoring task turns into one batch. */
    public static final int MAX_BATCH_SIZE = 65_536;

    public static final ConfigKey<Integer> BATCH_SIZE = ConfigKey.intKey("batch-size", 500, 1, MAX_BATCH_SIZE,
            "Examples scored at once by a task (predict, the Spark ML model, and held-out evaluation while training).");
    public static final ConfigKey<DataSplit> SPLIT = ConfigKey.enumKey("split", DataSplit.TEST, DataSplit.class,
            DataSplit::label, "Of an IDX directory: test (the t10k files) or train.");

    /** The keys of {@code evaluate}. */
    public static final List<ConfigKey<?>> EVALUATE = List.of(SPLIT);
    /** The keys of {@code predict}. */
    public static final List<ConfigKey<?>> PREDICT = List.of(SPLIT, BATCH_SIZE);
}
