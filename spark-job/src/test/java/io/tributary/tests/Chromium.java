package io.tributary.tests;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Headless Chromium (Debian's {@code chromium}, installed by deploy/setup.sh) rendering a local page. */
final class Chromium {
    private Chromium() {
    }

    /** Runs Chromium headless on {@code page} with {@code options}; returns its stdout, failing on a non-zero exit. */
    static String run(Path page, Path workDir, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(executable(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars"));
        cmd.addAll(List.of(options));
        cmd.add(page.toUri().toString());
        Path out = Files.createTempFile(workDir, "chromium", ".out");
        Path log = Files.createTempFile(workDir, "chromium", ".log");
        Process p = new ProcessBuilder(cmd).redirectOutput(new File(out.toString()))
                .redirectError(new File(log.toString())).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 120 s");
        }
        assertEquals(0, p.exitValue(), Files.readString(log));
        return Files.readString(out);
    }

    private static String executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                if (Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name).toString();
            }
        }
        return fail("No chromium on PATH; deploy/setup.sh installs Debian's chromium package");
    }
}
