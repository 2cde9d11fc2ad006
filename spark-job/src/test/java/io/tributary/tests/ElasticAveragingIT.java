package io.tributary.tests;

import io.tributary.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Parameter averaging's promise on a real standalone cluster (deploy/local-cluster, one core a worker)
 * reading from and writing to HDFS through deploy/submit.sh: the same data, config, seed and replicas give
 * the model bytes of a {@code local[2]} run on 1, 2 or 3 workers, when a worker joins during
 * epoch 1 and the first is SIGKILLed during epoch 2, and through a seeded series of faults (executors and
 * workers SIGKILLed at random moments, drivers killed and the run resumed). The series' length and seed
 * are the system properties {@value #CHAOS_RUNS} (default 2) and {@value #CHAOS_SEED}; docs/reliability.md
 * has the command for a longer series.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ElasticAveragingIT {
    static final java.nio.file.Path ROOT = java.nio.file.Path.of(System.getProperty("tributary.root", ".."))
            .toAbsolutePath().normalize();
    static final java.nio.file.Path STATE = ROOT.resolve("deploy/target/local-cluster-elastic");
    static final String FASHION = "/usr/share/datasets/fashion-mnist";
    static final String CHAOS_RUNS = "tributary.chaos.runs";
    static final String CHAOS_SEED = "tributary.chaos.seed";
    /** The one training of every run: 3 replicas, one ND4J thread a task. */
    static final List<String> TRAINING = List.of("--train-examples", "3000", "--test-examples", "500",
            "--epochs", "2", "--batch-size-per-worker", "32", "--averaging-frequency", "2", "--replicas", "3",
            "--seed", "7", "--threads-per-worker", "1");
    /** Rounds an epoch: 3,000 examples over 3 replicas, minibatches of 32, 2 a round. */
    static final int ROUNDS = 16;
    /**
     * Runs that are disturbed checkpoint every this many rounds: where they stand, for the test, and where
     * a killed driver resumes from. Checkpoints do not change the model.
     */
    static final int CHECKPOINT_EVERY = 2;

    @TempDir
    static java.nio.file.Path tmp;
    static String masterUrl;
    static String hdfsUrl;
    static FileSystem hdfs;
    static String reference;
    static final List<String> workers = new ArrayList<>(List.of("worker-1"));

    record Result(int code, String output) {
    }

    static Result sh(long timeoutSeconds, String... cmd) throws Exception {
        File log = Files.createTempFile(tmp, "cmd", ".log").toFile();
        Process p = process(log, cmd);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log.toPath()));
        }
        return new Result(p.exitValue(), Files.readString(log.toPath()));
    }

    static Process process(File log, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        pb.environment().put("TRIBUTARY_CLUSTER_DIR", STATE.toString());
        return pb.start();
    }

    /** Starts {@code tributary train} (or {@code args} as given) through submit.sh on the cluster. */
    static Process submit(File log, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("deploy/submit.sh", "--master", masterUrl, "--"));
        cmd.addAll(args);
        return process(log, cmd.toArray(new String[0]));
    }

    static List<String> training(String out, boolean checkpoints) {
        List<String> args = new ArrayList<>(List.of("train", "--data", hdfsUrl + "/data/fashion-mnist", "--output", out));
        args.addAll(TRAINING);
        if (checkpoints) {
            args.addAll(List.of("--checkpoint-every-steps", String.valueOf(CHECKPOINT_EVERY)));
        }
        return args;
    }

    @BeforeAll
    static void up() throws Exception {
        sh(60, "deploy/local-cluster/down.sh");
        Result up = sh(240, "deploy/local-cluster/up.sh", "--workers", "1");
        assertEquals(0, up.code(), up.output());
        masterUrl = value(up.output(), "SPARK_MASTER_URL");
        hdfsUrl = value(up.output(), "HDFS_URL");
        Configuration conf = new Configuration();
        conf.set("dfs.replication", "1");
        hdfs = FileSystem.get(URI.create(hdfsUrl), conf);
        hdfs.copyFromLocalFile(new Path(FASHION), new Path("/data/fashion-mnist"));

        List<String> local = new ArrayList<>(List.of("bin/tributary", "train", "--master", "local[2]", "--data", FASHION,
                "--output", tmp.resolve("reference").toString()));
        local.addAll(TRAINING);
        Result r = sh(600, local.toArray(new String[0]));
        assertEquals(0, r.code(), r.output());
        reference = ModelBytes.coefficients(tmp.resolve("reference/model.zip"));
        System.out.println("coefficients.bin sha256, local[2] (the reference): " + reference);
    }

    @AfterAll
    static void down() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("deploy/local-cluster/down.sh").directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TRIBUTARY_CLUSTER_DIR", STATE.toString());
        pb.environment().put("TRIBUTARY_KEEP_CLUSTER_LOGS", ROOT.resolve("spark-job/target/elastic-cluster-logs").toString());
        assertTrue(pb.start().waitFor(120, TimeUnit.SECONDS));
    }

    static String value(String output, String key) {
        Matcher m = Pattern.compile("^" + key + "=(\\S+)$", Pattern.MULTILINE).matcher(output);
        assertTrue(m.find(), key + " not printed:\n" + output);
        return m.group(1);
    }

    @Test
    @Order(1)
    void aWorkerJoiningInEpochOneAndTheFirstKilledInEpochTwoChangeNothing() throws Exception {
        String out = hdfsUrl + "/runs/elastic";
        File log = tmp.resolve("elastic.log").toFile();
        Process run = submit(log, training(out, true));
        String joinedAt;
        String killedAt;
        String added;
        try {
            awaitCheckpoint(out, "ckpt-0001-00002", run, log);
            added = worker("start");
            joinedAt = newestCheckpoint(out);
            awaitExecutorRanATask(added, run, log);
            awaitCheckpoint(out, "ckpt-0002-00000", run, log);
            killedAt = newestCheckpoint(out);
            worker("kill", "worker-1");
            workers.remove("worker-1");
            assertTrue(run.waitFor(600, TimeUnit.SECONDS), "the run did not finish:\n" + Files.readString(log.toPath()));
        } finally {
            stop(run);
        }
        String output = Files.readString(log.toPath());
        assertEquals(0, run.exitValue(), output);
        System.out.println("elastic run: " + added + " registered at " + joinedAt + ", worker-1 SIGKILLed at " + killedAt);
        assertTrue(joinedAt.compareTo("ckpt-0002-00000") < 0, added + " joined in epoch 1: " + joinedAt);
        assertTrue(killedAt.compareTo("ckpt-0002-00000") >= 0 && killedAt.compareTo("ckpt-0003-00000") < 0,
                "worker-1 was killed in epoch 2: " + killedAt);
        String bytes = coefficients(out);
        System.out.println("coefficients.bin sha256, elastic run: " + bytes);
        assertEquals(reference, bytes, "the elastic run has the local[2] run's model bytes");

        String appId = appId(out);
        Map<String, Set<String>> ranRounds = roundExecutorsByWorker(appId);
        assertTrue(ranRounds.containsKey("worker-1") && ranRounds.containsKey(added),
                "both workers' executors trained replicas: " + ranRounds);
        assertTrue(events(appId).contains("\"Event\":\"SparkListenerExecutorRemoved\""), "worker-1's executor was lost");
    }

    /**
     * A seeded series of runs on 3 workers, each with a fault at a random moment: a random executor (odd
     * runs) or worker (even runs) SIGKILLed, a killed worker replaced at once (the replacement joins
     * mid-run); in runs 2 and 3 of every 4 the driver is SIGKILLed a few rounds later too, and the run
     * resumed from its newest checkpoint. Every run must end with the reference's bytes, and a run whose
     * driver lived must show that each of the 3 workers' executors trained replicas: a cluster of another
     * shape than the reference's and than the first test's.
     */
    @Test
    @Order(2)
    void aSeededSeriesOfFaultsEndsWithTheUndisturbedBytes() throws Exception {
        int runs = Integer.getInteger(CHAOS_RUNS, 2);
        long seed = Long.getLong(CHAOS_SEED, 29);
        Random rng = new Random(seed);
        while (workers.size() < 3) {
            worker("start");
        }
        Map<String, Integer> injected = new TreeMap<>();
        int survived = 0;
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            String out = hdfsUrl + "/runs/chaos-" + i;
            File log = tmp.resolve("chaos-" + i + ".log").toFile();
            List<String> faults = new ArrayList<>();
            Process run = submit(log, training(out, true));
            try {
                String at = moment(rng);
                awaitCheckpoint(out, at, run, log);
                Thread.sleep(rng.nextInt(1000));
                faults.add((i % 2 == 1 ? killExecutor(rng) : killWorker(rng)) + " after " + at);
                if ((i / 2) % 2 == 1) {
                    String later = later(newestCheckpoint(out), rng);
                    awaitCheckpoint(out, later, run, log);
                    Thread.sleep(rng.nextInt(1000));
                    run.destroyForcibly();   // SIGKILL: no shutdown hook, the output's lock stays
                    assertTrue(run.waitFor(60, TimeUnit.SECONDS));
                    faults.add("driver after " + later);
                    run = submit(log, List.of("train", "--resume", out, "--force-unlock"));
                }
                assertTrue(run.waitFor(600, TimeUnit.SECONDS), "run " + i + " did not finish:\n"
                        + Files.readString(log.toPath()));
            } finally {
                stop(run);
            }
            faults.forEach(f -> injected.merge(f.substring(0, f.indexOf(' ')), 1, Integer::sum));
            String output = Files.readString(log.toPath());
            String bytes = run.exitValue() == 0 ? coefficients(out) : "(exit " + run.exitValue() + ")";
            boolean same = reference.equals(bytes);
            if (same) survived += faults.size();
            lines.add("chaos run " + i + ": " + String.join(", ", faults) + " -> " + (same ? "same bytes" : bytes));
            System.out.println(lines.get(lines.size() - 1));
            assertEquals(0, run.exitValue(), output);
            assertEquals(reference, bytes, "chaos run " + i + " (" + faults + ")");
            if (faults.size() == 1) {
                // Faults come after a checkpoint of 2 or more rounds: rounds ran on all 3 workers before.
                Map<String, Set<String>> ranRounds = roundExecutorsByWorker(appId(out));
                assertTrue(ranRounds.size() >= 3, "each of the 3 workers trained replicas: " + ranRounds);
            }
        }
        int total = injected.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("chaos: seed " + seed + ", " + runs + " runs, " + total + " faults injected " + injected + ", "
                + survived + " survived with the undisturbed run's bytes");
    }

    /**
     * The checkpoint of a random round of either epoch (2 epochs of {@value #ROUNDS} rounds, a checkpoint
     * every {@value #CHECKPOINT_EVERY}), short of an epoch's last rounds.
     */
    static String moment(Random rng) {
        int epoch = 1 + rng.nextInt(2);
        int round = CHECKPOINT_EVERY * (1 + rng.nextInt(ROUNDS / CHECKPOINT_EVERY - 2));
        return String.format("ckpt-%04d-%05d", epoch, round);
    }

    /** A checkpoint 1 to 3 checkpoints after {@code checkpoint}, short of the last epoch's last rounds. */
    static String later(String checkpoint, Random rng) {
        int epoch = Integer.parseInt(checkpoint.substring(5, 9));
        int round = Integer.parseInt(checkpoint.substring(10)) + CHECKPOINT_EVERY * (1 + rng.nextInt(3));
        if (round >= ROUNDS) {
            epoch++;
            round -= ROUNDS;
        }
        return epoch > 2 || (epoch == 2 && round > ROUNDS - 2 * CHECKPOINT_EVERY)
                ? String.format("ckpt-0002-%05d", ROUNDS - 2 * CHECKPOINT_EVERY)
                : String.format("ckpt-%04d-%05d", epoch, round);
    }

    /** SIGKILLs one executor JVM of this cluster, chosen at random; its worker starts another. */
    static String killExecutor(Random rng) throws Exception {
        List<ProcessHandle> executors = executors();
        assertFalse(executors.isEmpty(), "no executor to kill");
        ProcessHandle victim = executors.get(rng.nextInt(executors.size()));
        assertTrue(victim.destroyForcibly());
        return "executor";
    }

    /** SIGKILLs one worker and its executors, chosen at random, and starts a replacement. */
    static String killWorker(Random rng) throws Exception {
        String victim = workers.get(rng.nextInt(workers.size()));
        worker("kill", victim);
        workers.remove(victim);
        worker("start");
        return "worker";
    }

    /** Runs worker.sh; {@code start} returns the new worker's id. */
    static String worker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("deploy/local-cluster/worker.sh"));
        cmd.addAll(List.of(args));
        Result r = sh(180, cmd.toArray(new String[0]));
        assertEquals(0, r.code(), r.output());
        if (args[0].equals("start")) {
            String id = r.output().lines().filter(l -> l.matches("worker-\\d+")).reduce((a, b) -> b).orElseThrow();
            workers.add(id);
            return id;
        }
        return args[1];
    }

    /** The executor JVMs of this cluster (started by its workers, in its work directory). */
    static List<ProcessHandle> executors() {
        java.nio.file.Path work = STATE.resolve("work").toAbsolutePath();
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .filter(h -> {
                    try {
                        return Files.readSymbolicLink(java.nio.file.Path.of("/proc", String.valueOf(h.pid()), "cwd"))
                                .startsWith(work);
                    } catch (IOException gone) {
                        return false;
                    }
                }).toList();
    }

    static void stop(Process run) {
        run.descendants().forEach(ProcessHandle::destroyForcibly);
        run.destroyForcibly();
    }

    /** The newest complete checkpoint's name ("" before the first). */
    static String newestCheckpoint(String out) throws IOException {
        try {
            String newest = "";
            for (FileStatus f : hdfs.listStatus(new Path(out, "checkpoints"))) {
                String name = f.getPath().getName();
                if (name.endsWith(".sha256") && name.compareTo(newest) > 0) newest = name.replace(".sha256", "");
            }
            return newest;
        } catch (FileNotFoundException notYet) {
            return "";
        }
    }

    /** Waits until the run has written checkpoint {@code name} or a later one. */
    static void awaitCheckpoint(String out, String name, Process run, File log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (newestCheckpoint(out).compareTo(name) < 0) {
            assertTrue(run.isAlive(), "the run ended before " + name + ":\n" + Files.readString(log.toPath()));
            assertTrue(System.nanoTime() < deadline, "no " + name + " within 300 s:\n" + Files.readString(log.toPath()));
            Thread.sleep(50);
        }
    }

    /** Waits until an executor of worker {@code id} has started a task (its log says so). */
    static void awaitExecutorRanATask(String id, Process run, File log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            try (Stream<java.nio.file.Path> files = Files.walk(STATE.resolve("work").resolve(id))) {
                for (java.nio.file.Path f : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
                    if (Files.readString(f).contains("Running task")) return;
                }
            }
            assertTrue(run.isAlive(), "the run ended before " + id + " ran a task:\n" + Files.readString(log.toPath()));
            assertTrue(System.nanoTime() < deadline, id + " ran no task within 180 s");
            Thread.sleep(100);
        }
    }

    static String coefficients(String out) throws IOException {
        try (InputStream in = hdfs.open(new Path(out, "model.zip"))) {
            return ModelBytes.coefficients(in, out + "/model.zip");
        }
    }

    @SuppressWarnings("unchecked")
    static String appId(String out) throws IOException {
        try (InputStream in = hdfs.open(new Path(out, "metadata.json"))) {
            return (String) ((Map<String, Object>) Json.readMap(in.readAllBytes()).get("spark")).get("application_id");
        }
    }

    static String events(String appId) throws IOException {
        return Files.readString(STATE.resolve("events").resolve(appId), StandardCharsets.UTF_8);
    }

    /**
     * For each worker, the executors it ran for the application that trained replicas (tasks of the
     * averaging rounds' stages, from the event log; an executor's worker from its work directory).
     */
    @SuppressWarnings("unchecked")
    static Map<String, Set<String>> roundExecutorsByWorker(String appId) throws IOException {
        Set<Integer> rounds = new HashSet<>();
        Set<String> executors = new HashSet<>();
        for (String line : events(appId).split("\n")) {
            Map<String, Object> event = Json.readMap(line.getBytes(StandardCharsets.UTF_8));
            if ("SparkListenerStageSubmitted".equals(event.get("Event"))) {
                Map<String, Object> stage = (Map<String, Object>) event.get("Stage Info");
                if (String.valueOf(stage.get("Stage Name")).startsWith("tributary averaging round")) {
                    rounds.add(((Number) stage.get("Stage ID")).intValue());
                }
            } else if ("SparkListenerTaskEnd".equals(event.get("Event"))
                    && rounds.contains(((Number) event.get("Stage ID")).intValue())) {
                executors.add((String) ((Map<String, Object>) event.get("Task Info")).get("Executor ID"));
            }
        }
        assertFalse(rounds.isEmpty(), "no averaging round in the event log of " + appId);
        Map<String, Set<String>> byWorker = new TreeMap<>();
        for (String executor : executors) {
            for (String w : workerDirs()) {
                if (Files.isDirectory(STATE.resolve("work").resolve(w).resolve(appId).resolve(executor))) {
                    byWorker.computeIfAbsent(w, k -> new HashSet<>()).add(executor);
                }
            }
        }
        return byWorker;
    }

    static List<String> workerDirs() throws IOException {
        try (Stream<java.nio.file.Path> dirs = Files.list(STATE.resolve("work"))) {
            return dirs.map(d -> d.getFileName().toString()).toList();
        }
    }
}
