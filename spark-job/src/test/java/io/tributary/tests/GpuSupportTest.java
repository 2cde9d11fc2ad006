package io.tributary.tests;

import io.tributary.common.InputException;
import io.tributary.common.config.Backend;
import io.tributary.common.io.Json;
import io.tributary.job.cli.TributaryCli;
import io.tributary.job.spark.BackendCheck;
import io.tributary.job.spark.SparkConfs;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What of GPU support can be checked on a CPU-only machine: the discovery script's output against a
 * faked nvidia-smi, and the backend self-check reporting the CPU backend and refusing a CUDA request.
 */
class GpuSupportTest {
    static final Path ROOT = Path.of(System.getProperty("tributary.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    private Run discover(String fakeNvidiaSmi) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        if (fakeNvidiaSmi != null) {
            Path smi = Files.writeString(bin.resolve("nvidia-smi"), "#!/bin/sh\n" + fakeNvidiaSmi + "\n");
            Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("deploy/gpu/discover-gpus.sh").toString());
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void discoveryScriptPrintsSparksResourceFormat() throws Exception {
        Run r = discover("[ \"$1\" = --query-gpu=index ] || exit 9\necho 0\necho 1\necho 3");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> json = Json.readMap(r.out().getBytes(StandardCharsets.UTF_8));
        assertEquals("gpu", json.get("name"));
        assertEquals(List.of("0", "1", "3"), json.get("addresses"));
    }

    @Test
    void discoveryScriptFailsWithoutNvidiaSmiOrOnGarbage() throws Exception {
        Run missing = discover(null);
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("nvidia-smi not found"), missing.err());
        Run failing = discover("echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver'; exit 9");
        assertNotEquals(0, failing.code());
        assertTrue(failing.err().contains("nvidia-smi failed"), failing.err());
        Run garbage = discover("echo 'No devices were found'");
        assertNotEquals(0, garbage.code());
        assertTrue(garbage.err().contains("unexpected nvidia-smi output"), garbage.err());
    }

    @Test
    void backendCheckReportsTheCpuBackendAndRefusesACudaRequest() {
        try (JavaSparkContext sc = new JavaSparkContext(SparkConfs.build("backend-check", "local[2]"))) {
            BackendCheck.Result result = BackendCheck.run(sc);
            assertEquals(1, result.executors().size(), "local mode has one executor, the driver");
            assertEquals("cpu", result.executors().get(0).backend);
            assertEquals("org.nd4j.linalg.cpu.nativecpu.CpuBackend", result.executors().get(0).backendClass);
            assertEquals("OPENBLAS", result.executors().get(0).blas);
            BackendCheck.require(Backend.CPU, result);
            BackendCheck.require(Backend.ANY, result);
            InputException e = assertThrows(InputException.class, () -> BackendCheck.require(Backend.CUDA, result));
            assertTrue(e.getMessage().startsWith("Executor driver on ") && e.getMessage().contains(
                    "loaded the CPU backend (org.nd4j.linalg.cpu.nativecpu.CpuBackend) but backend cuda was asked for"),
                    e.getMessage());
        }
    }

    @Test
    void doctorExitsTwoWhenCudaIsAskedForOnACpuExecutor() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        int ok;
        int refused;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            ok = TributaryCli.execute("doctor", "--master", "local[2]", "--backend", "cpu");
            refused = TributaryCli.execute("doctor", "--master", "local[2]", "--backend", "cuda");
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        assertEquals(0, ok, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("executor driver on "), out.toString(StandardCharsets.UTF_8));
        assertEquals(2, refused);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("but backend cuda was asked for"),
                err.toString(StandardCharsets.UTF_8));
    }
}
