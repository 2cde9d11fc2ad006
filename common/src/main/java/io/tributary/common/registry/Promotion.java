package io.tributary.common.registry;

import io.tributary.common.config.Metric;

import java.util.Locale;
import java.util.OptionalDouble;

/** Whether a challenger replaces the champion, and why, in one sentence for the history. */
public record Promotion(boolean promoted, String reason) {

    /**
     * @param champion        the champion's metric on the holdout, empty when there is none yet
     * @param championName    the champion's version, named in the reason
     * @param challenger      the challenger's metric on the same holdout
     * @param minImprovement  how much better the challenger must be
     * @param floor           the metric no model is promoted without, or {@code null}
     */
    public static Promotion decide(Metric metric, OptionalDouble champion, String championName, double challenger,
                                   double minImprovement, Double floor) {
        String m = metric.label();
        if (Double.isNaN(challenger)) {
            return new Promotion(false, "the challenger's " + m + " is not a number");
        }
        if (floor != null && !metric.passes(challenger, floor)) {
            return new Promotion(false, String.format(Locale.ROOT, "%s %.4f is %s the floor %.4f", m, challenger,
                    metric.higherIsBetter() ? "below" : "above", floor));
        }
        if (champion.isEmpty()) {
            return new Promotion(true, String.format(Locale.ROOT, "first model: %s %.4f%s", m, challenger,
                    floor == null ? "" : String.format(Locale.ROOT, " passes the floor %.4f", floor)));
        }
        double gain = metric.improvement(challenger, champion.getAsDouble());
        // Compared at a resolution finer than any metric's meaningful digits, so 0.8770 - 0.8750 counts as 0.002.
        boolean enough = gain - minImprovement >= -1e-9;
        return new Promotion(enough, String.format(Locale.ROOT, "%s %.4f vs champion %s's %.4f: %s %.4f %s the "
                        + "required %.4f", m, challenger, championName, champion.getAsDouble(),
                gain >= 0 ? "better by" : "worse by", Math.abs(gain), enough ? "meets" : "is short of", minImprovement));
    }
}
