package io.tributary.common.config;

import java.util.Map;

/** A holdout metric that decides promotion, and which way is better. */
public enum Metric {
    ACCURACY("accuracy", "accuracy", true),
    MACRO_F1("macro-f1", "macro_f1", true),
    LOSS("loss", "loss", false);

    private final String label;
    private final String field;
    private final boolean higherIsBetter;

    Metric(String label, String field, boolean higherIsBetter) {
        this.label = label;
        this.field = field;
        this.higherIsBetter = higherIsBetter;
    }

    public String label() {
        return label;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** The metric's value in an evaluation map (the JSON of a holdout evaluation). */
    public double of(Map<String, Object> evaluation) {
        Object v = evaluation.get(field);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("The evaluation has no " + field + ": " + evaluation.keySet());
        }
        return n.doubleValue();
    }

    /** How much better {@code challenger} is than {@code champion} (negative: worse). */
    public double improvement(double challenger, double champion) {
        return higherIsBetter ? challenger - champion : champion - challenger;
    }

    /** Whether {@code value} is at least as good as {@code floor}. */
    public boolean passes(double value, double floor) {
        return higherIsBetter ? value >= floor : value <= floor;
    }
}
