package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.model.Network;
import io.tributary.common.store.ModelStore;
import io.tributary.job.cli.TributaryCli;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Checkpoints and exact resume: a driver killed with SIGKILL mid-epoch, reading IDX or Parquet, resumes (breaking its stale
 * lock on request) and ends with the uninterrupted run's model, byte for byte; a truncated newest checkpoint is reported and the one before used; resuming with
 * another model shape or step size is refused.
 */
@Tag("heavy")
class CheckpointResumeTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path reference;

    record Run(int code, String err) {
    }

    static synchronized Run cli(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = TributaryCli.execute(args);
        } finally {
            System.setErr(original);
        }
        return new Run(code, err.toString(StandardCharsets.UTF_8));
    }

    static List<String> trainArgs(Path out) {
        return new ArrayList<>(List.of("train", "--data", data.toString(), "--output", out.toString(),
                "--master", "local[2]", "--epochs", "2", "--batch-size-per-worker", "32", "--averaging-frequency", "2",
                "--checkpoint-every-steps", "1"));
    }

    @BeforeAll
    static void uninterrupted() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 3000, 300, 28, 17, true);
        reference = tmp.resolve("reference");
        Run r = cli(trainArgs(reference).toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
    }

    /** A run's model, a multi-layer network or a graph. */
    static Network model(Path run) {
        return ModelStore.load(HadoopFs.resolve("model", run.resolve("model.zip").toString(),
                new Configuration()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> metrics(Path run) throws Exception {
        return Json.readMap(Files.readAllBytes(run.resolve("metrics.json")));
    }

    static String[] checkpoints(Path run) throws Exception {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sha256")).sorted().toArray(String[]::new);
        }
    }

    @Test
    void keepsTheNewestCheckpointsWithChecksumsAndNoLock() throws Exception {
        assertEquals(3, checkpoints(reference).length, Arrays.toString(checkpoints(reference)));
        assertEquals("ckpt-0003-00000.sha256", checkpoints(reference)[2], "the last is the end of epoch 2");
        assertFalse(Files.exists(reference.resolve("_lock")));
    }

    @Test
    void aDriverKilledMidEpochResumesToTheSameNumberOfUpdates() throws Exception {
        killMidEpochAndResume(reference, tmp.resolve("killed"), CheckpointResumeTest::trainArgs);
    }

    @Test
    void aParquetRunKilledMidEpochResumesToTheSameNumberOfUpdates() throws Exception {
        Path parquet = tmp.resolve("parquet");
        Run converted = cli("convert", "--data", data.toString(), "--to", "parquet", "--output", parquet.toString(),
                "--master", "local[2]");
        assertEquals(0, converted.code(), converted.err());
        Function<Path, List<String>> parquetArgs = out -> {
            List<String> args = trainArgs(out);
            args.set(args.indexOf("--data") + 1, parquet.resolve("train").toString());
            args.addAll(List.of("--test-data", parquet.resolve("test").toString(), "--input-shape", "1,28,28"));
            return args;
        };
        Path parquetReference = tmp.resolve("parquet-reference");
        Run r = cli(parquetArgs.apply(parquetReference).toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        killMidEpochAndResume(parquetReference, tmp.resolve("parquet-killed"), parquetArgs);
    }

    /**
     * Starts {@code args(out)} in its own JVM, SIGKILLs it after its second mid-epoch checkpoint, resumes
     * it (the stale lock broken on request) and compares the result with the uninterrupted {@code reference}.
     */
    @SuppressWarnings("unchecked")
    static void killMidEpochAndResume(Path reference, Path out, Function<Path, List<String>> args)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-modules")).forEach(cmd::add);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TributaryCli.class.getName()));
        cmd.addAll(args.apply(out));
        Path log = out.resolveSibling(out.getFileName() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path checkpointDir = out.resolve("checkpoints");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        boolean midEpoch = false;
        while (!midEpoch && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            if (Files.isDirectory(checkpointDir)) {
                try (Stream<Path> s = Files.list(checkpointDir)) {
                    midEpoch = s.anyMatch(f -> f.getFileName().toString().matches("ckpt-0001-0000[2-9]\\.sha256"));
                }
            }
        }
        assertTrue(midEpoch, "no mid-epoch checkpoint appeared:\n" + Files.readString(log));
        p.destroyForcibly();   // SIGKILL: no shutdown hooks, the lock stays
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(out.resolve("model.zip")), "killed before it finished");

        Run locked = cli("train", "--resume", out.toString());
        assertEquals(2, locked.code(), locked.err());
        assertTrue(locked.err().contains("is locked by another run") && locked.err().contains("--force-unlock"),
                locked.err());

        Run resumed = cli("train", "--resume", out.toString(), "--force-unlock");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming from checkpoint ckpt-0001-"), resumed.err());

        Network ref = model(reference);
        Network res = model(out);
        assertTrue(ref.iterationCount() > 0);
        assertEquals(ref instanceof Network.Graph, res instanceof Network.Graph);
        assertEquals(ref.iterationCount(), res.iterationCount(), "same number of updates");
        assertEquals(ModelBytes.coefficients(reference.resolve("model.zip")), ModelBytes.coefficients(out.resolve("model.zip")),
                "killed and resumed, the same model bytes as the uninterrupted run");
        List<Map<String, Object>> refEpochs = (List<Map<String, Object>>) metrics(reference).get("epochs");
        List<Map<String, Object>> resEpochs = (List<Map<String, Object>>) metrics(out).get("epochs");
        assertEquals(2, resEpochs.size());
        for (int e = 0; e < 2; e++) {
            assertEquals(refEpochs.get(e).get("examples"), resEpochs.get(e).get("examples"), "examples of epoch " + (e + 1));
        }
        double refAcc = ((Number) metrics(reference).get("test_accuracy")).doubleValue();
        double resAcc = ((Number) metrics(out).get("test_accuracy")).doubleValue();
        assertTrue(refAcc > 0.8, "reference accuracy " + refAcc);
        assertEquals(refAcc, resAcc, 0.0, "the same model, the same accuracy");
    }

    @Test
    void aTruncatedNewestCheckpointIsReportedAndThePreviousUsed() throws Exception {
        Path out = tmp.resolve("truncated");
        Run first = cli(trainArgs(out).toArray(new String[0]));
        assertEquals(0, first.code(), first.err());
        String[] names = checkpoints(out);
        String newest = names[names.length - 1].replace(".sha256", "");
        String previous = names[names.length - 2].replace(".sha256", "");
        try (RandomAccessFile f = new RandomAccessFile(out.resolve("checkpoints").resolve(newest + ".zip").toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        Run resumed = cli("train", "--resume", out.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("Checkpoint " + newest + " in ") && resumed.err().contains("is not usable"),
                resumed.err());
        assertTrue(resumed.err().contains("resuming from checkpoint " + previous), resumed.err());
        assertEquals(model(reference).iterationCount(), model(out).iterationCount());
    }

    @Test
    void resumingAFinishedRunSaysSoAndChangesNothing() throws Exception {
        Map<String, byte[]> before = new TreeMap<>();
        try (Stream<Path> files = Files.walk(reference)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                before.put(reference.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        Run again = cli("train", "--resume", reference.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("is complete (2 epoch(s)"), again.err());
        assertTrue(again.err().contains("Give --epochs N with N > 2 to train more (its one-cycle schedule then spans the"
                + " N epochs"), "the default schedule's say in training more: " + again.err());
        assertFalse(again.err().contains("resuming from checkpoint"), again.err());
        Map<String, byte[]> after = new TreeMap<>();
        try (Stream<Path> files = Files.walk(reference)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                after.put(reference.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name + " unchanged"));
    }

    @Test
    void resumeAndAnotherOutputAreRefusedTogether() throws Exception {
        Path other = tmp.resolve("elsewhere");
        Run r = cli("train", "--resume", reference.toString(), "--output", other.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--resume " + reference + " and --output " + other), r.err());
        assertFalse(Files.exists(other), "nothing written");
    }

    @Test
    void resumingWithAnotherModelShapeOrStepSizeIsRefused() throws Exception {
        Path small = IdxFixtures.writeLearnable(tmp.resolve("small"), 300, 100, 20, 3, true);
        // More epochs than the finished run had, so there is something to resume; the change is refused.
        Run shape = cli("train", "--resume", reference.toString(), "--epochs", "3", "--data", small.toString());
        assertEquals(2, shape.code(), shape.err());
        assertTrue(shape.err().contains("the model's shape must not change"), shape.err());

        Run steps = cli("train", "--resume", reference.toString(), "--epochs", "3", "--batch-size-per-worker", "64");
        assertEquals(2, steps.code(), steps.err());
        assertTrue(steps.err().contains("resume with the same data, batch size, averaging frequency and replicas"),
                steps.err());
        Run replicas = cli("train", "--resume", reference.toString(), "--epochs", "3", "--replicas", "3");
        assertEquals(2, replicas.code(), replicas.err());
        assertTrue(replicas.err().contains("it was made with 2 replicas of ") && replicas.err().contains(
                "this run has 3 replicas of "), replicas.err());
        assertTrue(Files.exists(reference.resolve("model.zip")), "a refused resume leaves the run as it was");
        assertFalse(Files.exists(reference.resolve("_lock")));
    }
}
