package io.tributary.job.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Whether progress can be drawn live: stderr (where progress goes) is a terminal. */
final class Terminal {
    private Terminal() {
    }

    /**
     * True when standard error is a terminal. On Linux, read where file descriptor 2 points; elsewhere
     * fall back to {@link System#console()} (which needs stdin and stdout to be terminals).
     */
    static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.exists(fd, LinkOption.NOFOLLOW_LINKS)) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }
}
