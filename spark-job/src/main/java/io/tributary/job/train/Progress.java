package io.tributary.job.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Reports training progress on stderr: a live bar on a terminal, and one line per epoch always
 * (epoch, loss, test accuracy, examples/s, time left), with a second where the epoch's averaging rounds
 * were timed ({@link RoundTimes}).
 */
public final class Progress {
    private final PrintStream out;
    private final boolean live;
    private final int epochs;
    private final long startNanos = System.nanoTime();

    public Progress(PrintStream out, boolean live, int epochs) {
        this.out = out;
        this.live = live;
        this.epochs = epochs;
    }

    /** Called after each step of an epoch. */
    public void step(int epoch, int step, int steps, long examplesSoFar, double epochSeconds, double loss) {
        if (!live) {
            return;
        }
        double fraction = (double) step / steps;
        int width = 30;
        int filled = (int) Math.round(fraction * width);
        double rate = epochSeconds > 0 ? examplesSoFar / epochSeconds : 0;
        double doneEpochs = (epoch - 1) + fraction;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double eta = doneEpochs > 0 ? elapsed * (epochs - doneEpochs) / doneEpochs : 0;
        out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s%s] %3.0f%%  loss %.4f  %.0f examples/s  ETA %s ",
                epoch, epochs, "=".repeat(filled), " ".repeat(width - filled), fraction * 100, loss, rate,
                duration(eta)));
        out.flush();
    }

    /** Called at the end of each epoch. */
    public void epoch(EpochResult r) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double eta = elapsed * (epochs - r.epoch()) / r.epoch();
        if (live) {
            out.print("\r" + " ".repeat(100) + "\r");
        }
        out.println(String.format(Locale.ROOT,
                "epoch %d/%d  loss %.4f  test accuracy %.4f  %.0f examples/s  %.1fs  ETA %s",
                r.epoch(), epochs, r.trainLoss(), r.testAccuracy(), r.examplesPerSecond(), r.seconds(), duration(eta)));
        RoundTimes t = r.rounds();
        if (t != null && t.rounds() > 0 && t.steps() > 0) {
            out.println(String.format(Locale.ROOT,
                    "  %d rounds in %.1fs: the slowest replica fitting %.1fs (%.1f ms a step), %.1fs beyond (%.0f ms a"
                            + " round: broadcast, tasks, results, averaging)", t.rounds(), t.seconds(),
                    t.slowestFitSeconds(), 1e3 * t.slowestFitSeconds() / t.steps(), t.seconds() - t.slowestFitSeconds(),
                    1e3 * (t.seconds() - t.slowestFitSeconds()) / t.rounds()));
        }
        out.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
