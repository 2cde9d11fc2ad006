package io.tributary.tests;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A local cluster that cannot start fails clearly, in bounded time, and leaves nothing running. */
@Tag("integration")
class LocalClusterStartIT {
    static final Path ROOT = Path.of(System.getProperty("tributary.root", "..")).toAbsolutePath().normalize();

    @Test
    void failingWorkersStopTheStartWithAClearError() throws Exception {
        Path state = ROOT.resolve("deploy/target/local-cluster-start-it");
        File log = Files.createTempFile("up", ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder("deploy/local-cluster/up.sh", "--workers", "2", "--worker-memory", "lots")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log);
        pb.environment().put("TRIBUTARY_CLUSTER_DIR", state.toString());
        pb.environment().put("TRIBUTARY_CLUSTER_TIMEOUT", "60");
        long start = System.nanoTime();
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "up.sh must give up in bounded time");
        String out = Files.readString(log.toPath());
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("up.sh: the Spark workers (2) exited during start-up")
                || out.contains("up.sh: the Spark workers (2) not healthy after 60s"), out);
        assertFalse(out.contains("SPARK_MASTER_URL="), "no URLs are printed for a cluster that did not start");
        assertFalse(Files.exists(state), "the failed start removes its state");
        assertTrue((System.nanoTime() - start) / 1e9 < 180);

        Process bad = new ProcessBuilder("deploy/local-cluster/up.sh", "--workers", "zero")
                .directory(ROOT.toFile()).redirectErrorStream(true).start();
        String badOut = new String(bad.getInputStream().readAllBytes());
        assertTrue(bad.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, bad.exitValue());
        assertTrue(badOut.contains("invalid value zero for --workers: must be a positive integer"), badOut);
    }
}
