package io.tributary.job.bench;

import java.util.List;
import java.util.Locale;

/** One run's throughput and held-out accuracy (or their medians over runs). */
record Measured(double examplesPerSecond, double testAccuracy) {
    /** The medians of each field over {@code runs}, or {@code null} for none. */
    static Measured median(List<Measured> runs) {
        if (runs.isEmpty()) return null;
        double[] rate = runs.stream().mapToDouble(Measured::examplesPerSecond).sorted().toArray();
        double[] acc = runs.stream().mapToDouble(Measured::testAccuracy).sorted().toArray();
        return new Measured(rate[rate.length / 2], acc[acc.length / 2]);
    }

    /** {@code v} formatted, or the empty string for NaN. */
    static String format(double v, String pattern) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, pattern, v);
    }
}
