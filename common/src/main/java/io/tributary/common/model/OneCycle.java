package io.tributary.common.model;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The one-cycle learning rate schedule, as PyTorch's {@code OneCycleLR} has it by default (cosine
 * annealing, no third phase): from {@code peak / 25} up to {@code peak} over the first 30% of
 * {@code steps}, then down to {@code peak / 250,000} at the last step, and there after it. The cycle
 * starts at iteration {@code start} (a network trained before counts on from its own iterations). A
 * function of the iteration count alone, which averaging rounds carry from round to round, so every
 * replica of a round reads the same rate.
 */
public final class OneCycle implements ISchedule {
    /** The share of the steps spent warming up. */
    static final double WARM_UP = 0.3;
    /** The peak over the first rate. */
    static final double FIRST_DIVISOR = 25;
    /** The first rate over the last. */
    static final double LAST_DIVISOR = 1e4;

    @JsonProperty
    private final double peak;
    @JsonProperty
    private final int start;
    @JsonProperty
    private final int steps;

    /**
     * @param peak  the highest rate, reached after 30% of the steps; positive
     * @param start the iteration the cycle starts at; at least 0
     * @param steps the minibatch steps of the cycle; at least 2
     */
    @JsonCreator
    public OneCycle(@JsonProperty("peak") double peak, @JsonProperty("start") int start,
                    @JsonProperty("steps") int steps) {
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("A one-cycle schedule's peak rate must be positive, found " + peak);
        }
        if (start < 0) {
            throw new IllegalArgumentException("A one-cycle schedule starts at an iteration >= 0, found " + start);
        }
        if (steps < 2) {
            throw new IllegalArgumentException("A one-cycle schedule needs at least 2 steps, found " + steps);
        }
        this.peak = peak;
        this.start = start;
        this.steps = steps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double step = Math.max(0, iteration - start);
        double first = peak / FIRST_DIVISOR;
        double last = first / LAST_DIVISOR;
        double warmEnd = WARM_UP * steps - 1;
        double end = steps - 1;
        if (step <= warmEnd) {
            return cosine(first, peak, warmEnd <= 0 ? 1 : step / warmEnd);
        }
        return cosine(peak, last, Math.min(1, (step - warmEnd) / (end - warmEnd)));
    }

    /** From {@code from} to {@code to} along half a cosine, at {@code fraction} of the way. */
    private static double cosine(double from, double to, double fraction) {
        return to + (from - to) / 2 * (Math.cos(Math.PI * fraction) + 1);
    }

    public double peak() {
        return peak;
    }

    public int start() {
        return start;
    }

    public int steps() {
        return steps;
    }

    @Override
    public OneCycle clone() {
        return new OneCycle(peak, start, steps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OneCycle c && c.peak == peak && c.start == start && c.steps == steps;
    }

    @Override
    public int hashCode() {
        return (Double.hashCode(peak) * 31 + start) * 31 + steps;
    }

    @Override
    public String toString() {
        return "OneCycle(peak=" + peak + ", start=" + start + ", steps=" + steps + ")";
    }
}
