package io.tributary.tests;

import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.registry.ModelRegistry;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Tributary on a real YARN: deploy/local-cluster/up.sh --yarn starts HDFS, a ResourceManager and two
 * NodeManagers (enforcing containers' physical memory) as separate JVMs on 127.0.0.1; deploy/submit.sh
 * --master yarn submits in cluster and client mode; data is read from and models written to HDFS, and
 * each application's final status is the ResourceManager's. Needs the packaged build.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnClusterIT {
    static final java.nio.file.Path ROOT = LocalClusterIT.ROOT;
    static final java.nio.file.Path STATE = ROOT.resolve("deploy/target/local-cluster-yarn-it");
    static final String FASHION = LocalClusterIT.FASHION;
    /** Two executors of one core and a 1 GiB heap: the overhead and ND4J's limits are Tributary's defaults. */
    static final List<String> EXECUTORS = List.of("--num-executors", "2", "--executor-cores", "1", "--executor-memory", "1g");

    @TempDir
    static java.nio.file.Path tmp;
    static String hdfsUrl;
    static java.nio.file.Path confDir;
    static FileSystem hdfs;

    record Result(int code, String output) {
    }

    static Result sh(long timeoutSeconds, Map<String, String> env, List<String> cmd) throws Exception {
        File log = Files.createTempFile(tmp, "cmd", ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log);
        pb.environment().put("TRIBUTARY_CLUSTER_DIR", STATE.toString());
        // submit.sh's own Spark and JVM options: a Spark installation or JVM options of the caller's
        // would change what the containers start with (ArchiveWatch).
        List.of("SPARK_HOME", "TRIBUTARY_CDS", "TRIBUTARY_JAVA_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
                "JDK_JAVA_OPTIONS").forEach(pb.environment()::remove);
        if (confDir != null) pb.environment().put("HADOOP_CONF_DIR", confDir.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log.toPath()));
        }
        return new Result(p.exitValue(), Files.readString(log.toPath()));
    }

    /**
     * Watches the containers' JVMs (application masters and executors, found by their main class) while
     * a run goes, and which of them mapped the cluster's class-data archive (deploy/class-archive.sh),
     * as their memory maps show: submit.sh starts the local YARN's containers with the archive's
     * classpath first, so they map it, as the local standalone cluster's executors do.
     */
    static final class ArchiveWatch implements AutoCloseable {
        private static final List<String> MAIN_CLASSES = List.of("YarnCoarseGrainedExecutorBackend",
                "org.apache.spark.deploy.yarn.ExecutorLauncher", "org.apache.spark.deploy.yarn.ApplicationMaster");
        private final Map<Long, Boolean> mapped = new ConcurrentHashMap<>();
        private final Thread poller = new Thread(this::poll, "archive-watch");
        private final Instant started = Instant.now().minusSeconds(1);
        private final String archive = ROOT.resolve("deploy/target/cds/tributary-cluster-").toString();
        private volatile boolean done;

        ArchiveWatch() {
            poller.setDaemon(true);
            poller.start();
        }

        private void poll() {
            while (!done) {
                ProcessHandle.allProcesses().forEach(p -> {
                    // This run's containers: JVMs started since, with this YARN's directories.
                    String exe = p.info().command().orElse("");
                    String args = String.join(" ", p.info().arguments().orElse(new String[0]));
                    if (!exe.endsWith("/java") || MAIN_CLASSES.stream().noneMatch(args::contains)
                            || !args.contains(STATE.toString())
                            || p.info().startInstant().map(started::isAfter).orElse(true)) {
                        return;
                    }
                    try {
                        boolean maps = Files.readString(java.nio.file.Path.of("/proc", p.pid() + "", "maps"))
                                .contains(archive);
                        mapped.merge(p.pid(), maps, Boolean::logicalOr);
                    } catch (IOException gone) {
                        // ended between the listing and the read
                    }
                });
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            done = true;
            poller.join(5_000);
        }

        /** At least {@code atLeast} containers' JVMs were seen, and each mapped the archive. */
        void assertEveryContainerMappedTheArchive(int atLeast) {
            assertTrue(mapped.size() >= atLeast, "containers' JVMs seen: " + mapped);
            assertFalse(mapped.containsValue(false), "a container's JVM (pid: mapped) did not map the archive: " + mapped);
        }

        /** Containers whose jars came from elsewhere (TRIBUTARY_YARN_JARS) are given no archive. */
        void assertNoContainerMappedTheArchive(int atLeast) {
            assertTrue(mapped.size() >= atLeast, "containers' JVMs seen: " + mapped);
            assertFalse(mapped.containsValue(true), "a container's JVM (pid: mapped) mapped the archive: " + mapped);
        }
    }

    /** deploy/submit.sh --master yarn with these spark-submit options, then "--" and these tributary options. */
    static Result submit(long timeoutSeconds, Map<String, String> env, List<String> sparkOptions, String... tributary)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("deploy/submit.sh", "--master", "yarn"));
        cmd.addAll(sparkOptions);
        cmd.add("--");
        cmd.addAll(List.of(tributary));
        long start = System.nanoTime();
        Result r = sh(timeoutSeconds, env, cmd);
        System.out.printf("yarn: %s took %.0f s%n", String.join(" ", cmd), (System.nanoTime() - start) / 1e9);
        return r;
    }

    static List<String> options(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    @BeforeAll
    static void up() throws Exception {
        sh(60, Map.of(), List.of("deploy/local-cluster/down.sh"));
        Result up = sh(240, Map.of(), List.of("deploy/local-cluster/up.sh", "--yarn"));
        assertEquals(0, up.code(), up.output());
        confDir = java.nio.file.Path.of(value(up.output(), "export HADOOP_CONF_DIR"));
        hdfsUrl = value(up.output(), "HDFS_URL");
        assertTrue(hdfsUrl.matches("hdfs://127\\.0\\.0\\.1:\\d+"), hdfsUrl);
        assertTrue(value(up.output(), "YARN_RM_URL").matches("http://127\\.0\\.0\\.1:\\d+"), up.output());
        assertTrue(Files.exists(confDir.resolve("yarn-site.xml")) && Files.exists(confDir.resolve("core-site.xml")));
        hdfs = FileSystem.get(URI.create(hdfsUrl), clientConf());
        hdfs.copyFromLocalFile(new Path(FASHION), new Path("/data/fashion-mnist"));
        hdfs.mkdirs(new Path("/spark-events"));
    }

    @AfterAll
    static void down() throws Exception {
        Result down = sh(120, Map.of("TRIBUTARY_KEEP_CLUSTER_LOGS", ROOT.resolve("spark-job/target/yarn-cluster-logs").toString()),
                List.of("deploy/local-cluster/down.sh"));
        assertEquals(0, down.code(), down.output());
        assertFalse(Files.exists(STATE), "down.sh removes the cluster's data");
        // Nothing of the cluster runs on: no daemon, no container (their command lines name the state directory).
        List<String> left = ProcessHandle.allProcesses()
                .map(h -> h.info().commandLine().orElse(""))
                .filter(c -> c.contains(STATE.toString())).toList();
        assertEquals(List.of(), left, "processes left after down.sh");
    }

    static String value(String output, String key) {
        Matcher m = Pattern.compile("^" + key + "=(\\S+)$", Pattern.MULTILINE).matcher(output);
        assertTrue(m.find(), key + " not printed:\n" + output);
        return m.group(1);
    }

    static Configuration clientConf() {
        Configuration conf = new Configuration(false);
        for (String file : List.of("core-site.xml", "hdfs-site.xml", "yarn-site.xml")) {
            conf.addResource(new Path(confDir.resolve(file).toUri()));
        }
        return conf;
    }

    /** The application's report from the ResourceManager, once it has ended (waiting up to 30 s). */
    static ApplicationReport finished(String appId) throws Exception {
        try (YarnClient yarn = YarnClient.createYarnClient()) {
            yarn.init(new YarnConfiguration(clientConf()));
            yarn.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                ApplicationReport report = yarn.getApplicationReport(ApplicationId.fromString(appId));
                if (report.getFinalApplicationStatus() != FinalApplicationStatus.UNDEFINED || System.nanoTime() > deadline) {
                    return report;
                }
                Thread.sleep(500);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static String applicationId(String runDir) throws IOException {
        Map<String, Object> metadata = Json.readMap(read(new Path(runDir, "metadata.json")));
        String appId = (String) ((Map<String, Object>) metadata.get("spark")).get("application_id");
        assertEquals("yarn", ((Map<String, Object>) metadata.get("spark")).get("master"));
        return appId;
    }

    static byte[] read(Path p) throws IOException {
        try (InputStream in = hdfs.open(p)) {
            return in.readAllBytes();
        }
    }

    static double testAccuracy(String runDir) throws IOException {
        return ((Number) Json.readMap(read(new Path(runDir, "metrics.json"))).get("test_accuracy")).doubleValue();
    }

    /**
     * Each container's stderr, by container id, as YARN aggregated the application's logs to HDFS
     * (deploy/yarn.sh logs), once at least {@code containers} containers' are there.
     */
    static Map<String, String> aggregatedStderr(String appId, int containers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Result logs = sh(120, Map.of(), List.of("deploy/yarn.sh", "logs", "-applicationId", appId));
            Map<String, String> stderr = stderrByContainer(logs.output());
            if (logs.code() == 0 && stderr.size() >= containers || System.nanoTime() > deadline) {
                assertEquals(0, logs.code(), logs.output());
                return stderr;
            }
            Thread.sleep(2000);
        }
    }

    /** Each file of the logs comes under a header naming its container: the stderr files, by container. */
    static Map<String, String> stderrByContainer(String logs) {
        Map<String, String> out = new TreeMap<>();
        for (String file : logs.split("\nContainer: ")) {
            Matcher m = Pattern.compile("^(container_\\S+)[^\\n]*\\n[\\s\\S]*?LogType:stderr\\n([\\s\\S]*?)End of LogType:stderr")
                    .matcher(file);
            if (m.find()) out.merge(m.group(1), m.group(2), String::concat);
        }
        return out;
    }

    /** Executor ids of finished tasks, from the application's Spark event log on HDFS. */
    static Set<String> executorsThatRanTasks(String appId) throws IOException {
        Set<String> ids = new HashSet<>();
        Pattern executor = Pattern.compile("\"Executor ID\":\"([^\"]+)\"");
        for (String line : eventLog(appId)) {
            if (line.contains("\"Event\":\"SparkListenerTaskEnd\"")) {
                Matcher m = executor.matcher(line);
                if (m.find()) ids.add(m.group(1));
            }
        }
        return ids;
    }

    static List<String> eventLog(String appId) throws IOException {
        for (FileStatus f : hdfs.listStatus(new Path("/spark-events"))) {
            if (f.getPath().getName().startsWith(appId)) {
                return new String(read(f.getPath()), StandardCharsets.UTF_8).lines().toList();
            }
        }
        throw new AssertionError("no event log of " + appId + " in /spark-events");
    }

    static final List<String> EVENT_LOG = List.of("--conf", "spark.eventLog.enabled=true",
            "--conf", "spark.eventLog.dir=hdfs:///spark-events");

    /**
     * Cluster mode: the driver runs in the application master. 1 epoch of Fashion-MNIST from HDFS to
     * HDFS; the ResourceManager records SUCCEEDED; plain DL4J (a JVM with DL4J's jars and none of
     * Tributary's) restores the model and recounts the reported test accuracy on the 10,000 test
     * images; the driver's and every executor's JVM had the JDK's vector API.
     */
    @Test
    @Order(1)
    void clusterModeTrainsFashionMnistFromHdfsToHdfs() throws Exception {
        String out = hdfsUrl + "/runs/cluster";
        ArchiveWatch containers = new ArchiveWatch();
        Result r;
        try {
            r = submit(900, Map.of(), options(EXECUTORS, "--deploy-mode", "cluster"),
                    "--data", "hdfs:///data/fashion-mnist", "--output", out, "--epochs", "1");
        } finally {
            containers.close();
        }
        assertEquals(0, r.code(), r.output());
        containers.assertEveryContainerMappedTheArchive(3);
        String appId = applicationId(out);
        ApplicationReport report = finished(appId);
        assertEquals(FinalApplicationStatus.SUCCEEDED, report.getFinalApplicationStatus(), report.getDiagnostics());
        double accuracy = testAccuracy(out);
        assertTrue(accuracy >= 0.85, "test accuracy " + accuracy);
        assertEquals(accuracy, plainDl4jAccuracy(new Path(out, "model.zip"), 10_000), 0.003,
                "plain DL4J's accuracy with the restored model against the reported one");

        Map<String, String> stderr = aggregatedStderr(appId, 3);
        assertTrue(stderr.size() >= 3, "the application master and two executors: " + stderr.keySet());
        stderr.forEach((container, log) -> {
            assertTrue(log.contains("Using incubator modules: jdk.incubator.vector"), container + " lacks the vector API");
            assertFalse(log.contains("scalar kernels"), container + " fell back to the scalar kernels");
        });
    }

    /** The accuracy of plain DL4J's outputs for Fashion-MNIST's first {@code n} test images, with the model at {@code model}. */
    static double plainDl4jAccuracy(Path model, int n) throws Exception {
        java.nio.file.Path dir = Files.createTempDirectory(tmp, "plain");
        hdfs.copyToLocalFile(model, new Path(dir.resolve("model.zip").toString()));
        byte[] images = gunzip(java.nio.file.Path.of(FASHION, "t10k-images-idx3-ubyte.gz"));
        byte[] labels = gunzip(java.nio.file.Path.of(FASHION, "t10k-labels-idx1-ubyte.gz"));
        float[] pixels = new float[n * 784];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (images[16 + i] & 0xff) / 255f;
        Nd4j.saveBinary(Nd4j.create(pixels, new long[] {n, 1, 28, 28}), dir.resolve("x.bin").toFile());

        List<String> classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("/target/classes") && !e.contains("/target/test-classes")
                        && !e.contains("tributary-")).toList();
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")).forEach(cmd::add);
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, classpath),
                ROOT.resolve("common/src/test/resources/plain-dl4j/PlainDl4jScore.java").toString(),
                dir.resolve("model.zip").toString(), dir.resolve("x.bin").toString(), dir.resolve("y.bin").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("plain.log").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the plain DL4J program did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("plain.log")));
        INDArray predicted = Nd4j.readBinary(dir.resolve("y.bin").toFile()).argMax(1);
        int right = 0;
        for (int i = 0; i < n; i++) {
            if (predicted.getInt(i) == labels[8 + i]) right++;
        }
        return right / (double) n;
    }

    static byte[] gunzip(java.nio.file.Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    /** Client mode: the driver runs in submit.sh's JVM, the executors in YARN's containers. */
    @Test
    @Order(2)
    void clientModeTrainsFromHdfsToHdfsOnTwoExecutors() throws Exception {
        String out = hdfsUrl + "/runs/client";
        ArchiveWatch containers = new ArchiveWatch();
        Result r;
        try {
            r = submit(600, Map.of(), options(EXECUTORS, "--deploy-mode", "client", EVENT_LOG.get(0), EVENT_LOG.get(1),
                            EVENT_LOG.get(2), EVENT_LOG.get(3)),
                    "--data", "hdfs:///data/fashion-mnist", "--output", out, "--epochs", "1", "--train-examples", "4000",
                    "--test-examples", "1000", "--batch-size-per-worker", "32");
        } finally {
            containers.close();
        }
        assertEquals(0, r.code(), r.output());
        containers.assertEveryContainerMappedTheArchive(3);
        assertFalse(r.output().contains("falling back to uploading libraries"), "Spark's jars were uploaded:\n" + r.output());
        String appId = applicationId(out);
        assertEquals(FinalApplicationStatus.SUCCEEDED, finished(appId).getFinalApplicationStatus());
        double accuracy = testAccuracy(out);
        assertTrue(accuracy > 0.6, "test accuracy " + accuracy);
        assertEquals(accuracy, plainDl4jAccuracy(new Path(out, "model.zip"), 1000), 0.003,
                "plain DL4J's accuracy with the restored model against the reported one");
        Set<String> executors = executorsThatRanTasks(appId);
        assertTrue(executors.size() >= 2, "tasks ran on executors " + executors);
        assertFalse(executors.contains("driver"), "no task may run in the driver: " + executors);
    }

    /**
     * {@code retrain} into a registry on HDFS through YARN, with Spark's and Tributary's jars uploaded
     * once to HDFS (TRIBUTARY_YARN_JARS); then {@code evaluate} of the champion in cluster mode, which
     * finds the same jars there and uploads nothing.
     */
    @Test
    @Order(3)
    void retrainsIntoAnHdfsRegistryAndEvaluatesTheChampionWithJarsUploadedOnce() throws Exception {
        String registry = hdfsUrl + "/tributary/registry";
        Map<String, String> jars = Map.of("TRIBUTARY_YARN_JARS", hdfsUrl + "/apps/tributary");
        ArchiveWatch containers = new ArchiveWatch();
        Result retrain;
        try {
            retrain = submit(900, jars, EXECUTORS, "retrain", "--registry", registry,
                    "--data", "hdfs:///data/fashion-mnist", "--holdout", "hdfs:///data/fashion-mnist", "--epochs", "1",
                    "--train-examples", "2000", "--test-examples", "1000", "--batch-size-per-worker", "32");
        } finally {
            containers.close();
        }
        assertEquals(0, retrain.code(), retrain.output());
        containers.assertNoContainerMappedTheArchive(3);
        assertTrue(retrain.output().contains("Retraining: version 000001 promoted"), retrain.output());
        ModelRegistry reg = ModelRegistry.open(HadoopFs.resolve("registry", registry, hdfs.getConf()), false);
        assertEquals(1, reg.champion().getAsInt());
        assertEquals("promoted", reg.history().get(0).decision());
        FileStatus[] uploaded = hdfs.listStatus(new Path("/apps/tributary"));
        assertEquals(List.of("spark-jars-", "tributary-"), Arrays.stream(uploaded)
                .map(f -> f.getPath().getName().replaceFirst("[0-9a-f]{16}\\.(zip|jar)$", "")).sorted().toList());

        Result evaluate = submit(600, jars, options(EXECUTORS, "--deploy-mode", "cluster"), "evaluate",
                "--model", registry + "/models/000001/model.zip", "--data", "hdfs:///data/fashion-mnist");
        assertEquals(0, evaluate.code(), evaluate.output());
        assertFalse(evaluate.output().contains("yarn-jars.sh: uploading"), "the jars were uploaded again:\n" + evaluate.output());
        for (FileStatus before : uploaded) {
            assertEquals(before.getModificationTime(), hdfs.getFileStatus(before.getPath()).getModificationTime(),
                    before.getPath() + " was written again");
        }
        Matcher app = Pattern.compile("application_\\d+_\\d+").matcher(evaluate.output());
        assertTrue(app.find(), evaluate.output());
        assertEquals(FinalApplicationStatus.SUCCEEDED, finished(app.group()).getFinalApplicationStatus());
    }

    /**
     * One executor's process SIGKILLed while training: YARN reports its container lost, Spark asks for
     * another, and the run completes on the replacement. While it runs, the application's staging
     * directory holds its configuration only: neither Spark's jars nor Tributary's were uploaded.
     */
    @Test
    @Order(4)
    void aKilledExecutorContainerIsReplacedAndTrainingCompletes() throws Exception {
        String out = hdfsUrl + "/runs/executor-killed";
        File log = Files.createTempFile(tmp, "killed", ".log").toFile();
        List<String> cmd = new ArrayList<>(List.of("deploy/submit.sh", "--master", "yarn"));
        cmd.addAll(EXECUTORS);
        cmd.addAll(EVENT_LOG);
        cmd.addAll(List.of("--", "--data", "hdfs:///data/fashion-mnist", "--output", out, "--epochs", "1",
                "--train-examples", "6000", "--test-examples", "1000", "--batch-size-per-worker", "32",
                "--averaging-frequency", "5", "--checkpoint-every-steps", "1"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log);
        pb.environment().put("TRIBUTARY_CLUSTER_DIR", STATE.toString());
        // submit.sh's own Spark and JVM options: a Spark installation or JVM options of the caller's
        // would change what the containers start with (ArchiveWatch).
        List.of("SPARK_HOME", "TRIBUTARY_CDS", "TRIBUTARY_JAVA_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
                "JDK_JAVA_OPTIONS").forEach(pb.environment()::remove);
        pb.environment().put("HADOOP_CONF_DIR", confDir.toString());
        Process submit = pb.start();
        try {
            // Training is under way once its second checkpoint is on HDFS.
            Path second = new Path(out, "checkpoints/ckpt-0001-00002.sha256");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!hdfs.exists(second) && submit.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(hdfs.exists(second), "training did not start:\n" + Files.readString(log.toPath()));
            FileStatus[] staging = hdfs.listStatus(new Path("/user/" + System.getProperty("user.name") + "/.sparkStaging"));
            assertEquals(1, staging.length, Arrays.toString(staging));
            assertEquals(List.of("__spark_conf__.zip"), Arrays.stream(hdfs.listStatus(staging[0].getPath()))
                    .map(f -> f.getPath().getName()).toList(), "what the application uploaded");
            ProcessHandle executor = ProcessHandle.allProcesses()
                    .filter(h -> h.info().commandLine().orElse("").contains("YarnCoarseGrainedExecutorBackend"))
                    .filter(h -> h.info().commandLine().orElse("").contains(STATE.toString()))
                    .filter(h -> h.info().command().orElse("").endsWith("java"))
                    .findFirst().orElseThrow(() -> new AssertionError("no executor process"));
            assertTrue(executor.destroyForcibly());
            assertTrue(submit.waitFor(600, TimeUnit.SECONDS), "run did not finish:\n" + Files.readString(log.toPath()));
        } finally {
            submit.descendants().forEach(ProcessHandle::destroyForcibly);
            submit.destroyForcibly();
        }
        String output = Files.readString(log.toPath());
        assertEquals(0, submit.exitValue(), output);
        assertTrue(testAccuracy(out) > 0.6, "test accuracy " + testAccuracy(out));
        String appId = applicationId(out);
        assertEquals(FinalApplicationStatus.SUCCEEDED, finished(appId).getFinalApplicationStatus());
        assertTrue(eventLog(appId).stream().anyMatch(l -> l.contains("\"Event\":\"SparkListenerExecutorRemoved\"")),
                "the executor was lost");
        assertTrue(executorsThatRanTasks(appId).size() >= 3, "a replacement executor ran tasks: "
                + executorsThatRanTasks(appId));
    }

    /**
     * Executors given far less memory than they use: a 128 MiB overhead for a network whose
     * parameters and Adam state alone take 320 MB off-heap (JavaCPP's physical limit raised above the
     * container, as a cluster's defaults may set it, so that nothing but YARN stops them). YARN kills
     * each executor; the run ends with one sentence naming the executor, its use against its container
     * and the key to raise, and leaves no output.
     */
    @Test
    @Order(5)
    void anUndersizedExecutorKilledByYarnEndsInOneSentence() throws Exception {
        String out = hdfsUrl + "/runs/undersized";
        Result r = submit(600, Map.of("TRIBUTARY_EXECUTOR_MAX_RSS", "16G"),
                List.of("--num-executors", "2", "--executor-memory", "1g", "--conf", "spark.executor.memoryOverhead=128m"),
                "--data", "hdfs:///data/fashion-mnist", "--output", out, "--epochs", "1", "--train-examples", "2000",
                "--test-examples", "500", "--model", "mlp", "--hidden", "4096,4096");
        assertEquals(2, r.code(), r.output());
        List<String> errors = r.output().lines().filter(l -> l.startsWith("tributary: ")).toList();
        assertEquals(1, errors.size(), r.output());
        assertTrue(errors.get(0).matches("tributary: Executor \\d+ used [0-9.]+ [KMG]B of physical memory, over the 1152 MiB"
                + " of its YARN container \\(heap 1024 MiB plus spark.executor.memoryOverhead 128 MiB\\), and YARN killed it"
                + "( \\(\\d+ executors in all\\))?; raise spark.executor.memoryOverhead"), errors.get(0));
        assertTrue(r.output().contains("YARN killed 2 executors for memory (spark.tributary.memoryKillsToFail);"
                + " cancelled the application's jobs"), "cancelled at the second kill, not retried: " + r.output());
        assertFalse(hdfs.exists(new Path(out, "model.zip")), "no model is left behind");
    }

    /**
     * A run that fails in cluster mode (its output exists) is a FAILED application whose diagnostics
     * give the driver's exit status, which submit.sh exits with, printing the driver's one sentence
     * from its aggregated log; the existing model is untouched.
     */
    @Test
    @Order(6)
    void aFailedClusterModeRunIsAFailedApplicationAndANonZeroExit() throws Exception {
        String out = hdfsUrl + "/runs/cluster";
        long modelTime = hdfs.getFileStatus(new Path(out, "model.zip")).getModificationTime();
        Result r = submit(300, Map.of(), options(EXECUTORS, "--deploy-mode", "cluster"),
                "--data", "hdfs:///data/fashion-mnist", "--output", out, "--epochs", "1");
        assertEquals(2, r.code(), r.output());
        Matcher app = Pattern.compile("application_\\d+_\\d+").matcher(r.output());
        assertTrue(app.find(), r.output());
        ApplicationReport report = finished(app.group());
        assertEquals(FinalApplicationStatus.FAILED, report.getFinalApplicationStatus());
        assertTrue(report.getDiagnostics().contains("User application exited with 2"), report.getDiagnostics());
        assertTrue(r.output().lines().anyMatch(l -> l.startsWith("tributary: Output " + out + " already exists")),
                r.output());
        assertEquals(modelTime, hdfs.getFileStatus(new Path(out, "model.zip")).getModificationTime());
    }

    /** {@code doctor} through YARN: each executor's heap, ND4J's off-heap limit and its container's size. */
    @Test
    @Order(7)
    @SuppressWarnings("unchecked")
    void doctorShowsEachExecutorsHeapOffHeapLimitAndContainer() throws Exception {
        Result r = submit(300, Map.of(), EXECUTORS, "doctor", "--json");
        assertEquals(0, r.code(), r.output());
        String json = r.output().substring(r.output().indexOf("{\n"), r.output().lastIndexOf('}') + 1);
        List<Map<String, Object>> executors = (List<Map<String, Object>>) Json.readMap(
                json.getBytes(StandardCharsets.UTF_8)).get("executors");
        assertEquals(2, executors.size(), json);
        for (Map<String, Object> e : executors) {
            long heap = ((Number) e.get("heap_mb")).longValue();
            assertTrue(heap > 900 && heap <= 1024, "the 1 GiB heap: " + e);
            assertEquals(2048, ((Number) e.get("off_heap_limit_mb")).longValue(), e.toString());
            assertEquals(4096, ((Number) e.get("physical_limit_mb")).longValue(), e.toString());
            assertEquals(4096, ((Number) e.get("container_mb")).longValue(), "1 GiB heap plus 2 GiB off-heap plus 1 GiB: " + e);
        }
    }
}
