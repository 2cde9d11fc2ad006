package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Attack: reach a local training run from another machine. While a local {@code tributary train}
 * runs, every TCP port its JVM listens on (driver RPC, block manager, web UI) must be on the loopback
 * interface, and the web UI, when there is one, must not offer to kill jobs.
 */
@Tag("security")
class LoopbackPortsTest {
    static final Path ROOT = Path.of(System.getProperty("tributary.root", "..")).toAbsolutePath().normalize();

    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 2000, 500, 28, 29, true);
    }

    /** Through bin/tributary, as people run it: the UI is up, on 127.0.0.1, with kill disabled. */
    @Test
    void aLocalRunThroughTheLauncherListensOnLoopbackOnlyAndItsUiCannotKill() throws Exception {
        assertTrue(Files.isRegularFile(ROOT.resolve("deploy/target/tributary.env")),
                "bin/tributary is not built; run mvn -DskipTests package first");
        ProcessBuilder launcher = new ProcessBuilder(ROOT.resolve("bin/tributary").toString(), "train",
                "--data", data.toString(), "--output", tmp.resolve("launcher-run").toString(),
                "--master", "local[2]", "--epochs", "2", "--train-examples", "2000", "--test-examples", "500");
        launcher.environment().remove("SPARK_LOCAL_IP");
        launcher.environment().remove("TRIBUTARY_LOOPBACK");
        launcher.environment().put("TRIBUTARY_DRIVER_MEMORY", "1g");
        Observed seen = watch(Cli.start(tmp, launcher));
        assertNotNull(seen.uiEnvironment, "the Spark UI never answered on 127.0.0.1 during the run; listening: "
                + seen.listening);
        assertEquals("false", seen.uiEnvironment.get("spark.ui.killEnabled"), seen.uiEnvironment.toString());
    }

    /** Started without the launcher (no SPARK_LOCAL_IP): still nothing beyond loopback. */
    @Test
    void aLocalRunStartedWithoutTheLauncherListensOnLoopbackOnly() throws Exception {
        ProcessBuilder direct = Cli.command(List.of("-Xmx1g"), "train", "--data", data.toString(),
                "--output", tmp.resolve("direct-run").toString(), "--master", "local[2]", "--epochs", "1",
                "--train-examples", "2000", "--test-examples", "500");
        direct.environment().remove("SPARK_LOCAL_IP");
        direct.environment().remove("TRIBUTARY_LOOPBACK");
        Observed seen = watch(Cli.start(tmp, direct));
        assertNull(seen.uiEnvironment, "without SPARK_LOCAL_IP there is no UI (it would listen on every interface)");
    }

    /** What was seen of a run: every address it listened on, and its UI's Spark properties if it had a UI. */
    record Observed(Set<InetSocketAddress> listening, Map<String, String> uiEnvironment) {
    }

    /** Samples the run's listening sockets until it exits; asserts it succeeded and listened on loopback only. */
    private static Observed watch(Cli.Started run) throws Exception {
        long pid = run.process().pid();
        Set<InetSocketAddress> listening = new LinkedHashSet<>();
        // The UI may answer before the application is listed: each port is asked a few times.
        Map<Integer, Integer> probes = new HashMap<>();
        Map<String, String> ui = null;
        while (run.process().isAlive()) {
            List<InetSocketAddress> now = new ArrayList<>(ListeningSockets.of(pid));
            // Spark's UI takes 4040 and up; RPC and block manager ports are random: ask the likely ones first.
            now.sort(Comparator.comparingInt(a -> Math.abs(a.getPort() - 4040)));
            for (InetSocketAddress a : now) {
                listening.add(a);
                if (ui == null && a.getAddress().isLoopbackAddress() && probes.merge(a.getPort(), 1, Integer::sum) <= 10) {
                    ui = sparkProperties(a.getPort());
                }
            }
            Thread.sleep(200);
        }
        Cli.Run result = run.finish();
        assertEquals(0, result.code(), result.all());
        assertTrue(listening.size() >= 2, "saw too little of the run to judge (driver RPC and block manager at least): "
                + listening);
        for (InetSocketAddress a : listening) {
            assertTrue(a.getAddress().isLoopbackAddress(), "the local run listened on " + a + "; all: " + listening);
        }
        return new Observed(listening, ui);
    }

    /** The Spark properties the UI on this port reports, or null when the port is not a Spark UI. */
    private static Map<String, String> sparkProperties(int port) {
        try {
            JsonNode apps = get(port, "/api/v1/applications");
            if (apps == null || !apps.isArray() || apps.isEmpty()) return null;
            JsonNode env = get(port, "/api/v1/applications/" + apps.get(0).get("id").asText() + "/environment");
            Map<String, String> props = new HashMap<>();
            for (JsonNode kv : env.get("sparkProperties")) props.put(kv.get(0).asText(), kv.get(1).asText());
            return props;
        } catch (Exception notTheUi) {
            return null;
        }
    }

    private static JsonNode get(int port, String path) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
        // The UI answers in milliseconds; RPC ports take the connection and never answer HTTP.
        c.setConnectTimeout(500);
        c.setReadTimeout(500);
        try (var in = c.getInputStream()) {
            return c.getResponseCode() == 200 ? new ObjectMapper().readTree(in) : null;
        } finally {
            c.disconnect();
        }
    }
}
