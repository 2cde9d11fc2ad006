package io.tributary.job.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a run's time before its first training step went, phase by phase, logged once as training
 * starts: what {@code seconds_to_first_step} in {@code metrics.json} is made of, and how long ago the
 * command started (the launcher, the JVM's own start and the command's parsing come before the job).
 */
final class StartupTimes {
    private static final Logger log = LoggerFactory.getLogger(StartupTimes.class);
    private static final String COMMAND_STARTED = "TRIBUTARY_COMMAND_STARTED_NS";

    private final long start;
    private final List<String> phases = new ArrayList<>();
    private long last;

    /** @param start {@link System#nanoTime()} when the job began */
    StartupTimes(long start) {
        this.start = start;
        this.last = start;
    }

    /** Ends the phase {@code name}, which ran since the previous mark. */
    void mark(String name) {
        long now = System.nanoTime();
        phases.add(String.format(Locale.ROOT, "%s %.2f s", name, (now - last) / 1e9));
        last = now;
    }

    /** Ends the last phase, {@code name}, logs the phases and returns the moment training starts. */
    long ready(String name) {
        mark(name);
        double jobSeconds = (last - start) / 1e9;
        log.info(String.format(Locale.ROOT, "First training step after %.2f s (%s): %s",
                jobSeconds, sinceLaunch(), String.join(", ", phases)));
        return last;
    }

    /**
     * How long ago the command started, as the launchers ({@code bin/tributary}, {@code deploy/submit.sh})
     * note it in {@value #COMMAND_STARTED} (nanoseconds since the epoch), else how long ago this JVM started.
     */
    private static String sinceLaunch() {
        String started = System.getenv(COMMAND_STARTED);
        if (started != null && started.matches("[0-9]{1,19}")) {
            try {
                Instant now = Instant.now();
                double seconds = (now.getEpochSecond() * 1_000_000_000L + now.getNano() - Long.parseLong(started))
                        / 1e9;
                if (seconds >= 0 && seconds < 86_400) {
                    return String.format(Locale.ROOT, "%.2f s since the command started", seconds);
                }
            } catch (NumberFormatException beyondLong) {
                // not a time the launchers wrote: fall back to the JVM's start
            }
        }
        return String.format(Locale.ROOT, "%.2f s since the JVM started",
                ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
    }
}
