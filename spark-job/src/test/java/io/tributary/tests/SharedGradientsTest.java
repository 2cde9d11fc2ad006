package io.tributary.tests;

import io.tributary.common.config.ConfigException;
import io.tributary.common.config.ConfigLoader;
import io.tributary.common.data.IdxFixtures;
import io.tributary.common.io.Json;
import io.tributary.job.shared.ReachController;
import io.tributary.job.train.TrainJob;
import io.tributary.job.train.TrainResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Shared-gradient training (SharedTrainingMaster over Aeron UDP) on a real local[2] session: it
 * learns, the model round-trips, and a mesh that cannot form fails with a clear error, not a hang.
 */
@Tag("heavy")
class SharedGradientsTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path output;
    static TrainResult result;

    /** Ten consecutive UDP ports free on this machine now: the controller's and nine for workers. */
    static final int PORTS = freeUdpPorts(10);

    static int freeUdpPorts(int count) {
        Random rng = new Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + rng.nextInt(40_000);
            List<DatagramSocket> held = new ArrayList<>();
            try {
                for (int p = base; p < base + count; p++) {
                    held.add(new DatagramSocket(p));
                }
                return base;
            } catch (SocketException taken) {
                // try another block
            } finally {
                held.forEach(DatagramSocket::close);
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free UDP ports found");
    }

    static Map<String, Object> flags(Path out) {
        Map<String, Object> flags = new HashMap<>();
        flags.put("data", data.toString());
        flags.put("output", out.toString());
        flags.put("master", "local[2]");
        flags.put("sync", "shared-gradients");
        flags.put("batch-size-per-worker", 32);
        flags.put("shared-controller-address", "127.0.0.1");
        flags.put("shared-port", PORTS);
        flags.put("shared-worker-ports", (PORTS + 1) + "-" + (PORTS + 9));
        return flags;
    }

    static TrainResult train(Map<String, Object> flags) throws Exception {
        return new TrainJob(ConfigLoader.load(null, flags), new PrintStream(new ByteArrayOutputStream()), false).run();
    }

    @BeforeAll
    static void trainOnce() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 1200, 300, 28, 5, true);
        output = tmp.resolve("run");
        Map<String, Object> flags = flags(output);
        flags.put("epochs", 2);
        result = train(flags);
    }

    @Test
    void learnsWellAboveChance() {
        assertEquals(2, result.epochs().size());
        assertTrue(result.test().accuracy() > 0.8, "test accuracy " + result.test().accuracy());
        double loss = result.epochs().get(1).trainLoss();
        assertTrue(loss > 0 && loss < 2.0, "second-epoch training loss " + loss + " (chance is ln 10 = 2.30)");
    }

    @Test
    void modelRoundTripsWithIdenticalOutputs() throws Exception {
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(output.resolve("model.zip").toFile(), true);
        INDArray input = Nd4j.rand(DataType.FLOAT, 8, 1, 28, 28);
        assertEquals(result.model().params(), restored.params());
        assertEquals(result.model().output(input), restored.output(input));
    }

    @Test
    @SuppressWarnings("unchecked")
    void metadataRecordsTheMesh() throws Exception {
        Map<String, Object> metadata = Json.readMap(Files.readAllBytes(output.resolve("metadata.json")));
        Map<String, Object> spark = (Map<String, Object>) metadata.get("spark");
        assertEquals("shared-gradients", spark.get("sync"));
        Map<String, Object> mesh = (Map<String, Object>) spark.get("shared_gradients");
        assertEquals("127.0.0.1:" + PORTS, mesh.get("controller"));
        assertEquals(List.of("127.0.0.1"), mesh.get("executor_addresses"));
        assertEquals("127.0.0.0/24", mesh.get("network_mask"));
    }

    @Test
    void aPortInUseIsAClearErrorAndWritesNothing() throws Exception {
        Path out = tmp.resolve("port-taken");
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            Map<String, Object> flags = flags(out);
            flags.put("shared-port", taken.getLocalPort());
            Exception e = assertThrows(Exception.class, () -> train(flags));
            assertTrue(e.getMessage().contains("UDP port " + taken.getLocalPort() + " (shared-port)"), e.getMessage());
        }
        assertFalse(Files.exists(out.resolve("model.zip")));
    }

    @Test
    void aNetworkMaskMatchingNoInterfaceIsAClearError() {
        Map<String, Object> flags = flags(tmp.resolve("bad-mask"));
        flags.put("shared-network-mask", "203.0.113.0/24");
        Exception e = assertThrows(Exception.class, () -> train(flags));
        assertTrue(e.getMessage().contains("network mask 203.0.113.0/24 (shared-network-mask) matches no interface"),
                e.getMessage());
    }

    @Test
    void aControllerAddressNotOnTheDriverIsAClearError() {
        Map<String, Object> flags = flags(tmp.resolve("foreign-controller"));
        flags.put("shared-controller-address", "203.0.113.7");
        Exception e = assertThrows(Exception.class, () -> train(flags));
        assertTrue(e.getMessage().contains("203.0.113.7 (shared-controller-address)"), e.getMessage());
    }

    @Test
    void anExecutorThatGetsNoAnswerGivesUpWithinTheTimeout() throws Exception {
        int silentPort;
        try (DatagramSocket s = new DatagramSocket(0)) {
            silentPort = s.getLocalPort();
        }
        ReachController probe = new ReachController("127.0.0.1", silentPort, null, 2, "/dev/shm");
        long start = System.nanoTime();
        ReachController.Reach reach = probe.call(List.of(0).iterator()).next();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 2 && seconds < 10, "gave up after " + seconds + " s");
        assertNotNull(reach.error);
        assertTrue(reach.error.contains("could not reach the controller 127.0.0.1:" + silentPort
                + " over UDP within 2 s (shared-connect-timeout-seconds)"), reach.error);
    }

    @Test
    void aStepThatOutlivesTheStallTimeoutIsCancelledWithAClearError() {
        Path out = tmp.resolve("stalled");
        Map<String, Object> flags = flags(out);
        flags.put("stall-timeout-seconds", 1);
        long start = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> train(flags));
        assertTrue((System.nanoTime() - start) / 1e9 < 60, "cancelled promptly");
        assertTrue(e.getMessage().startsWith("Training step 1 of ") && e.getMessage().contains(
                "took longer than 1 s (stall-timeout-seconds) and was cancelled"), e.getMessage());
        assertFalse(Files.exists(out.resolve("model.zip")));
    }

    /**
     * DL4J's wrapper marks itself as having a trainer when a training task starts, and a task whose set-up
     * throws leaves the mark for the life of the JVM: every later task would wait for that trainer until
     * the stall guard cancels the step. The step fails at once instead, naming the executor.
     */
    @Test
    void aStuckWrapperFailsTheStepAtOnceNamingTheExecutor() throws Exception {
        AtomicBoolean trainerMark = OneFeederPerJvmTest.trainerMark();
        Map<String, Object> flags = flags(tmp.resolve("stuck"));
        flags.put("stall-timeout-seconds", 600);
        trainerMark.set(true);
        try {
            long start = System.nanoTime();
            Exception e = assertTimeoutPreemptively(Duration.ofSeconds(120),
                    () -> assertThrows(Exception.class, () -> train(flags)));
            assertTrue((System.nanoTime() - start) / 1e9 < 120, "failed at once, not after the stall timeout");
            assertTrue(String.valueOf(e.getMessage()).contains("The shared-gradients trainer of executor driver on ")
                    && e.getMessage().contains(" is stuck"), String.valueOf(e.getMessage()));
        } finally {
            trainerMark.set(false);
        }
        assertFalse(Files.exists(tmp.resolve("stuck").resolve("model.zip")));
    }

    @Test
    void severalReplicasPerJvmAreRefusedOnTheCpuBackend() {
        Map<String, Object> flags = flags(tmp.resolve("replicas"));
        flags.put("shared-workers-per-node", 2);
        ConfigException e = assertThrows(ConfigException.class, () -> train(flags));
        assertTrue(e.getMessage().startsWith("Invalid value 2 for configuration shared-workers-per-node"), e.getMessage());
    }
}
