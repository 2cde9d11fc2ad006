package io.tributary.common.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process, from /proc (Linux). */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /** Current resident set size in MiB, or -1 where /proc is not available. */
    public static double rssMb() {
        return status("VmRSS:");
    }

    /** Peak resident set size in MiB, or -1. */
    public static double peakRssMb() {
        return status("VmHWM:");
    }

    private static double status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
