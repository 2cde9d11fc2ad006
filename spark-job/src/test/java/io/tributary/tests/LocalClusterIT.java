package io.tributary.tests;

import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.registry.HistoryEntry;
import io.tributary.common.registry.ModelRegistry;
import io.tributary.job.spark.SparkConfs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The cluster path for real: deploy/local-cluster/up.sh starts a Spark standalone master, two
 * workers and HDFS as separate JVMs on 127.0.0.1; deploy/submit.sh submits the shaded jar in client
 * mode; data is read from and the model written to HDFS. Needs the packaged build.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {
    static final java.nio.file.Path ROOT = java.nio.file.Path.of(System.getProperty("tributary.root", "..")).toAbsolutePath().normalize();
    static final java.nio.file.Path STATE = ROOT.resolve("deploy/target/local-cluster-it");
    static final String FASHION = "/usr/share/datasets/fashion-mnist";

    @TempDir
    static java.nio.file.Path tmp;
    static String masterUrl;
    static String hdfsUrl;
    static FileSystem hdfs;

    record Result(int code, String output) {
    }

    static Result sh(long timeoutSeconds, Map<String, String> env, String... cmd) throws Exception {
        File log = Files.createTempFile(tmp, "cmd", ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log);
        pb.environment().put("TRIBUTARY_CLUSTER_DIR", STATE.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log.toPath()));
        }
        return new Result(p.exitValue(), Files.readString(log.toPath()));
    }

    @BeforeAll
    static void up() throws Exception {
        sh(60, Map.of(), "deploy/local-cluster/down.sh");
        // With the daemons' light JVM options whatever the caller's environment (assertDaemonsRunLight).
        Result up = sh(240, Map.of("TRIBUTARY_LIGHT_JVMS", "1"), "deploy/local-cluster/up.sh", "--workers", "2");
        assertEquals(0, up.code(), up.output());
        masterUrl = value(up.output(), "SPARK_MASTER_URL");
        hdfsUrl = value(up.output(), "HDFS_URL");
        assertTrue(masterUrl.matches("spark://127\\.0\\.0\\.1:\\d+"), masterUrl);
        assertTrue(hdfsUrl.matches("hdfs://127\\.0\\.0\\.1:\\d+"), hdfsUrl);
        assertTrue(value(up.output(), "SPARK_MASTER_UI").startsWith("http://127.0.0.1:"));
        assertDaemonsRunLight();
        Configuration conf = new Configuration();
        conf.set("dfs.replication", "1");
        hdfs = FileSystem.get(URI.create(hdfsUrl), conf);
        hdfs.copyFromLocalFile(new Path(FASHION), new Path("/data/fashion-mnist"));
    }

    @AfterAll
    static void down() throws Exception {
        Result down = sh(120, Map.of("TRIBUTARY_KEEP_CLUSTER_LOGS", ROOT.resolve("spark-job/target/local-cluster-logs").toString()),
                "deploy/local-cluster/down.sh");
        assertEquals(0, down.code(), down.output());
        assertFalse(Files.exists(STATE), "down.sh removes the cluster's data");
    }

    static String value(String output, String key) {
        Matcher m = Pattern.compile("^" + key + "=(\\S+)$", Pattern.MULTILINE).matcher(output);
        assertTrue(m.find(), key + " not printed:\n" + output);
        return m.group(1);
    }

    @Test
    @Order(1)
    @SuppressWarnings("unchecked")
    void trainsOnTwoExecutorsFromHdfsToHdfs() throws Exception {
        String out = hdfsUrl + "/runs/r1";
        Result r = sh(900, Map.of(), "deploy/submit.sh", "--master", masterUrl, "--", "--data", hdfsUrl + "/data/fashion-mnist",
                "--output", out, "--epochs", "1", "--train-examples", "4000", "--test-examples", "1000",
                "--batch-size-per-worker", "32");
        assertEquals(0, r.code(), r.output());

        MultiLayerNetwork model;
        try (InputStream in = hdfs.open(new Path(out, "model.zip"))) {
            model = ModelSerializer.restoreMultiLayerNetwork(in, true);
        }
        assertEquals(4, model.getLayers().length, "saved in DL4J's layers: conv (ReLU), pool, dense, output");
        assertInstanceOf(ConvolutionLayer.class, model.getLayer(0));
        assertEquals(693_962, model.numParams());
        assertExecutorsRanTheVectorKernels();
        assertExecutorsStartedFromThisMachinesFiles();
        assertEquals(FsAction.NONE,
                hdfs.getFileStatus(new Path(out, "model.zip")).getPermission().getOtherAction(),
                "outputs are not readable by others");
        Map<String, Object> metrics = Json.readMap(read(new Path(out, "metrics.json")));
        double accuracy = ((Number) metrics.get("test_accuracy")).doubleValue();
        assertTrue(accuracy > 0.6, "test accuracy " + accuracy);

        // The model on HDFS evaluates to the same accuracy in a separate local run.
        Result eval = sh(300, Map.of(), "bin/tributary", "evaluate", "--model", out + "/model.zip", "--data",
                hdfsUrl + "/data/fashion-mnist", "--master", "local[2]");
        assertEquals(0, eval.code(), eval.output());
        Matcher acc = Pattern.compile("\"accuracy\" : ([0-9.]+)").matcher(eval.output());
        assertTrue(acc.find(), eval.output());
        assertTrue(Double.parseDouble(acc.group(1)) > 0.6, eval.output());

        Map<String, Object> metadata = Json.readMap(read(new Path(out, "metadata.json")));
        String appId = (String) ((Map<String, Object>) metadata.get("spark")).get("application_id");
        assertEquals(masterUrl, ((Map<String, Object>) metadata.get("spark")).get("master"));
        Set<String> executors = executorsThatRanTasks(appId);
        assertTrue(executors.size() >= 2, "training tasks ran on executors " + executors);
        assertFalse(executors.contains("driver"), "no task may run in the driver: " + executors);
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void trainsWithSharedGradientsOnTwoExecutorsFromHdfsToHdfs() throws Exception {
        String out = hdfsUrl + "/runs/shared";
        Result r = sh(900, Map.of(), "deploy/submit.sh", "--master", masterUrl, "--", "--data", hdfsUrl + "/data/fashion-mnist",
                "--output", out, "--epochs", "1", "--train-examples", "4000", "--test-examples", "1000",
                "--batch-size-per-worker", "32", "--sync", "shared-gradients");
        assertEquals(0, r.code(), r.output());

        MultiLayerNetwork model;
        try (InputStream in = hdfs.open(new Path(out, "model.zip"))) {
            model = ModelSerializer.restoreMultiLayerNetwork(in, true);
        }
        assertEquals(4, model.getLayers().length, "saved in DL4J's layers: conv (ReLU), pool, dense, output");
        assertInstanceOf(ConvolutionLayer.class, model.getLayer(0));
        assertEquals(693_962, model.numParams());
        Map<String, Object> metrics = Json.readMap(read(new Path(out, "metrics.json")));
        double accuracy = ((Number) metrics.get("test_accuracy")).doubleValue();
        // Learnt, not chance (0.1). Shared gradients' updates are asynchronous and threshold-encoded, and one
        // epoch of 4,000 examples is about 60 updates a worker: three runs of this test on 2026-12-06 ended at
        // 0.558, 0.651 and 0.456. SharedGradientsTest holds the accuracy of longer runs to > 0.8.
        assertTrue(accuracy > 0.3, "test accuracy " + accuracy);

        Map<String, Object> spark = (Map<String, Object>) Json.readMap(read(new Path(out, "metadata.json"))).get("spark");
        assertEquals("shared-gradients", spark.get("sync"));
        Set<String> executors = executorsThatRanTasks((String) spark.get("application_id"));
        assertTrue(executors.size() >= 2, "training tasks ran on executors " + executors);
        assertFalse(executors.contains("driver"), "no task may run in the driver: " + executors);
        // Each step feeds DL4J's wrapper one task per executor JVM (OneFeederPerJvm), not one per minibatch.
        Map<Integer, List<String>> steps = taskExecutorsByStage((String) spark.get("application_id"),
                "treeAggregate at SharedTrainingMaster");
        // At most one task an executor a step (fewer while an executor has yet to register), and steps fed
        // by both executors at once.
        assertFalse(steps.isEmpty(), "no training stage in the event log");
        for (Map.Entry<Integer, List<String>> step : steps.entrySet()) {
            assertTrue(step.getValue().size() <= 2, "tasks of training stage " + step.getKey() + ": " + steps);
        }
        assertTrue(steps.values().stream().anyMatch(executorsOfStep -> new HashSet<>(executorsOfStep).size() == 2),
                "no training stage ran on both executors: " + steps);
    }

    @Test
    @Order(4)
    void aDiskQuotaOnTheOutputIsOneClearErrorNamingTheUri() throws Exception {
        Path quota = new Path("/quota");
        hdfs.mkdirs(quota);
        ((DistributedFileSystem) hdfs).setQuota(quota,
                HdfsConstants.QUOTA_DONT_SET, 1024 * 1024);
        String out = hdfsUrl + "/quota/run";
        Result r = sh(600, Map.of(), "deploy/submit.sh", "--master", masterUrl, "--", "--data",
                hdfsUrl + "/data/fashion-mnist", "--output", out, "--train-examples", "2000", "--test-examples", "500",
                "--checkpoint-every-steps", "1");
        // The first block written (the output's lock) meets the quota: the run stops before any work.
        assertEquals(2, r.code(), r.output());
        List<String> errors = r.output().lines().filter(l -> l.startsWith("tributary: ")).toList();
        assertEquals(1, errors.size(), r.output());
        assertTrue(errors.get(0).startsWith("tributary: Cannot lock output " + out + ": The DiskSpace quota of /quota is exceeded"),
                errors.get(0));
        assertFalse(hdfs.exists(new Path(out)), "nothing is left behind");
    }

    @Test
    @Order(5)
    void anApplicationWithoutTheSecretIsRefused() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("TRIBUTARY_NO_CLUSTER_SECRET", "1");
        Result r = sh(300, env, "deploy/submit.sh", "--master", masterUrl, "--conf", "spark.driver.host=127.0.0.1",
                "--", "--data", hdfsUrl + "/data/fashion-mnist", "--output", hdfsUrl + "/runs/intruder",
                "--train-examples", "100", "--test-examples", "100");
        assertEquals(2, r.code(), r.output());
        // Refused by the check before Spark's registration (a minute of attempts), which names the reason.
        assertTrue(r.output().contains("refused or did not answer the application (" + masterUrl.substring(8) + ": "),
                r.output());
        assertFalse(hdfs.exists(new Path("/runs/intruder")), "a refused application leaves nothing behind");
    }

    @Test
    @Order(6)
    void unreachableHdfsAndBadMasterFailClearlyAndBounded() throws Exception {
        Result noHdfs = sh(300, Map.of(), "deploy/submit.sh", "--master", masterUrl, "--", "--data",
                "hdfs://127.0.0.1:1/data", "--output", hdfsUrl + "/runs/r2");
        assertEquals(2, noHdfs.code(), noHdfs.output());
        assertTrue(noHdfs.output().contains("hdfs://127.0.0.1:1/data") && noHdfs.output().contains("unreachable"), noHdfs.output());

        Result badMaster = sh(300, Map.of(), "deploy/submit.sh", "--master", "spark://127.0.0.1:1", "--",
                "--data", hdfsUrl + "/data/fashion-mnist", "--output", hdfsUrl + "/runs/r3");
        assertEquals(2, badMaster.code(), badMaster.output());
        assertTrue(badMaster.output().contains("Spark master spark://127.0.0.1:1 refused or did not answer the application"
                + " (127.0.0.1:1: Connection refused)"), badMaster.output());
        assertFalse(hdfs.exists(new Path("/runs/r3")));
    }

    private static byte[] read(Path p) throws IOException {
        try (InputStream in = hdfs.open(p)) {
            return in.readAllBytes();
        }
    }

    /** Executor ids of finished tasks, from the application's Spark event log. */
    private static Set<String> executorsThatRanTasks(String appId) throws IOException {
        java.nio.file.Path log = STATE.resolve("events").resolve(appId);
        assertTrue(Files.exists(log), "event log " + log);
        Set<String> ids = new HashSet<>();
        Pattern executor = Pattern.compile("\"Executor ID\":\"([^\"]+)\"");
        List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
        for (String line : lines) {
            if (line.contains("\"Event\":\"SparkListenerTaskEnd\"")) {
                Matcher m = executor.matcher(line);
                if (m.find()) ids.add(m.group(1));
            }
        }
        return ids;
    }

    /** Stage id to the executor of each of its tasks, for the stages whose name starts with {@code stageName}. */
    @SuppressWarnings("unchecked")
    private static Map<Integer, List<String>> taskExecutorsByStage(String appId, String stageName) throws IOException {
        Map<Integer, List<String>> executors = new TreeMap<>();
        Set<Integer> named = new HashSet<>();
        for (String line : Files.readAllLines(STATE.resolve("events").resolve(appId), StandardCharsets.UTF_8)) {
            Map<String, Object> event = Json.readMap(line.getBytes(StandardCharsets.UTF_8));
            if ("SparkListenerStageSubmitted".equals(event.get("Event"))) {
                Map<String, Object> stage = (Map<String, Object>) event.get("Stage Info");
                if (((String) stage.get("Stage Name")).startsWith(stageName)) {
                    named.add(((Number) stage.get("Stage ID")).intValue());
                }
            } else if ("SparkListenerTaskEnd".equals(event.get("Event"))) {
                int stage = ((Number) event.get("Stage ID")).intValue();
                if (named.contains(stage)) {
                    String executor = (String) ((Map<String, Object>) event.get("Task Info")).get("Executor ID");
                    executors.computeIfAbsent(stage, k -> new ArrayList<>()).add(executor);
                }
            }
        }
        return executors;
    }

    /** The first {@code n} training examples of an IDX directory (test split whole), as a new directory. */
    static java.nio.file.Path subset(String from, java.nio.file.Path to, int n) throws IOException {
        Files.createDirectories(to);
        for (String[] f : new String[][] {{"train-images-idx3-ubyte", "16", "784"}, {"train-labels-idx1-ubyte", "8", "1"}}) {
            byte[] raw;
            try (InputStream in = new GZIPInputStream(Files.newInputStream(java.nio.file.Path.of(from, f[0] + ".gz")))) {
                raw = in.readAllBytes();
            }
            int header = Integer.parseInt(f[1]);
            byte[] out = Arrays.copyOf(raw, header + n * Integer.parseInt(f[2]));
            ByteBuffer.wrap(out).putInt(4, n);
            Files.write(to.resolve(f[0]), out);
        }
        for (String f : new String[] {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(java.nio.file.Path.of(from, f), to.resolve(f));
        }
        return to;
    }

    @Test
    @Order(7)
    void twoNightlyRetrainingsOnTheClusterMakeTwoVersionsAndTheirDecisionsOnHdfs() throws Exception {
        String registry = hdfsUrl + "/tributary/registry";
        for (int night = 1; night <= 2; night++) {
            hdfs.copyFromLocalFile(new Path(subset(FASHION, tmp.resolve("night" + night), 2000 * night).toString()),
                    new Path("/data/night" + night));
            // The second night demands an improvement no model can make, so its decision is known: rejected.
            Result r = sh(900, Map.of(), "deploy/submit.sh", "--master", masterUrl, "--", "retrain", "--registry",
                    registry, "--data", hdfsUrl + "/data/night" + night, "--holdout", hdfsUrl + "/data/fashion-mnist",
                    "--epochs", "1", "--test-examples", "1000", "--batch-size-per-worker", "32",
                    "--min-improvement", night == 1 ? "0.002" : "1.0");
            assertEquals(0, r.code(), r.output());
            assertTrue(r.output().contains("Retraining: version 00000" + night + " "), r.output());
        }
        ModelRegistry reg = ModelRegistry.open(
                HadoopFs.resolve("registry", registry, hdfs.getConf()), false);
        assertEquals(List.of(1, 2), reg.versions());
        List<Map<String, Object>> history = reg.history().stream().map(HistoryEntry::toMap).toList();
        history.forEach(h -> System.out.println("history.jsonl: " + Json.writeLine(h)));
        assertEquals(2, history.size());
        assertEquals("promoted", history.get(0).get("decision"));
        assertTrue(String.valueOf(history.get(0).get("reason")).startsWith("first model: accuracy"));
        Map<String, Object> second = history.get(1);
        assertEquals("rejected", second.get("decision"), second.toString());
        assertTrue(String.valueOf(second.get("reason")).endsWith("is short of the required 1.0000"), second.toString());
        assertEquals(((Number) history.get(0).get("challenger")).doubleValue(),
                ((Number) second.get("champion")).doubleValue(), 1e-12, "the champion is version 1, on the same holdout");
        assertEquals(1, reg.champion().getAsInt());
        assertEquals(1, ((Number) second.get("champion_before")).intValue());
        assertNotEquals(history.get(0).get("data_sha256"), second.get("data_sha256"));
        for (int v = 1; v <= 2; v++) {
            String report = new String(read(new Path(registry + "/models/00000" + v + "/report.html")), StandardCharsets.UTF_8);
            assertTrue(report.contains("Confusion matrix") || report.contains("confusion matrix heat map"));
            Map<String, Object> holdout = Json.readMap(read(new Path(registry + "/models/00000" + v + "/holdout.json")));
            assertEquals(10000, ((Number) ((Map<?, ?>) holdout.get("challenger")).get("examples")).intValue());
        }
        Result list = sh(120, Map.of(), "bin/tributary", "registry", "--registry", registry, "list");
        assertEquals(0, list.code(), list.output());
        assertTrue(list.output().lines().anyMatch(l -> l.startsWith("*") && l.contains("000001")),
                list.output());
    }

    @Test
    @Order(8)
    void aRegistrysLifeOnHdfs() throws Exception {
        new RetrainScenario(hdfsUrl + "/registry-scenario", Files.createDirectories(tmp.resolve("scenario"))).run();
    }

    /**
     * Fashion-MNIST as Parquet on HDFS, the way Spark users keep data: converted on the cluster, trained
     * through submit.sh. The event log shows the executors, not the driver, read the input, each its own
     * part; the bytes that reached the driver as task results or left it as broadcasts are, apart from
     * the model's parameters and updater state, under 5% of the dataset's.
     */
    @Test
    @Order(9)
    @SuppressWarnings("unchecked")
    void fashionMnistAsParquetOnHdfsIsReadByTheExecutorsAndTrains() throws Exception {
        String parquet = hdfsUrl + "/data/fashion-parquet";
        Result convert = sh(600, Map.of(), "deploy/submit.sh", "--master", masterUrl, "--", "convert", "--data",
                hdfsUrl + "/data/fashion-mnist", "--to", "parquet", "--output", parquet);
        assertEquals(0, convert.code(), convert.output());
        List<FileStatus> parts = new ArrayList<>();
        for (FileStatus f : hdfs.listStatus(new Path(parquet, "train"))) {
            if (f.getPath().getName().endsWith(".parquet")) parts.add(f);
        }
        assertEquals(6, parts.size(), "60,000 examples in part files of at most 10,000: " + parts);
        long parquetBytes = parts.stream().mapToLong(FileStatus::getLen).sum();
        // The dataset as examples: 28x28 pixel bytes and an int label each (Parquet compresses them).
        long datasetBytes = 60_000L * (28 * 28 + 4);

        String out = hdfsUrl + "/runs/parquet";
        Result r = sh(900, Map.of(), "deploy/submit.sh", "--master", masterUrl,
                "--conf", "spark.eventLog.logBlockUpdates.enabled=true", "--",
                "--data", parquet + "/train", "--test-data", parquet + "/test", "--input-shape", "1,28,28",
                "--output", out, "--epochs", "1");
        assertEquals(0, r.code(), r.output());
        Map<String, Object> metrics = Json.readMap(read(new Path(out, "metrics.json")));
        double accuracy = ((Number) metrics.get("test_accuracy")).doubleValue();
        assertTrue(accuracy >= 0.85, "test accuracy " + accuracy);
        assertEquals(60_000, ((Number) ((List<Map<String, Object>>) metrics.get("epochs")).get(0).get("examples")).intValue());

        MultiLayerNetwork model;
        try (InputStream in = hdfs.open(new Path(out, "model.zip"))) {
            model = ModelSerializer.restoreMultiLayerNetwork(in, true);
        }
        long paramBytes = 4L * model.numParams();
        // float parameters and Adam's two moments: what every averaging round sends each way
        long modelBytes = paramBytes + 4L * model.getUpdater().getStateViewArray().length();
        String appId = (String) ((Map<String, Object>) Json.readMap(read(new Path(out, "metadata.json"))).get("spark"))
                .get("application_id");
        EventLogBytes bytes = EventLogBytes.read(STATE.resolve("events").resolve(appId), paramBytes, modelBytes);
        System.out.printf("parquet on HDFS: test accuracy %.4f; %d examples' bytes in %d bytes of Parquet; files read by executors %s;"
                        + " during training the driver received %d bytes of task results and broadcast %d bytes,"
                        + " of which beyond the model's (%d bytes each time): %d%n", accuracy, datasetBytes, parquetBytes,
                bytes.fileBytesByExecutor, bytes.resultBytes, bytes.broadcastBytes, modelBytes, bytes.beyondModel);

        Map<String, Long> read = bytes.fileBytesByExecutor;
        assertTrue(read.size() >= 2, "both executors read input files: " + read);
        long total = read.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(total >= parquetBytes, "the training data was read: " + total + " of " + parquetBytes);
        for (Map.Entry<String, Long> e : read.entrySet()) {
            assertTrue(e.getValue() < 0.8 * total, "executor " + e.getKey() + " read its own part, not all "
                    + total + " bytes: " + e.getValue());
        }
        assertTrue(bytes.broadcastBytes >= modelBytes, "the model's broadcasts were logged: " + bytes.broadcastBytes);
        // The driver's own reads (it runs no task): headers, schemas, footers; never the examples.
        long driverRead = ((Number) ((Map<String, Object>) metrics.get("driver")).get("filesystem_bytes_read")).longValue();
        assertTrue(driverRead < 0.05 * parquetBytes, "the driver read " + driverRead + " bytes of the data's " + parquetBytes);
        assertTrue(bytes.beyondModel < 0.05 * datasetBytes, "during training the driver moved " + bytes.beyondModel
                + " bytes beyond the model's; 5% of the dataset's is " + (long) (0.05 * datasetBytes));
    }

    /**
     * What an application's event log says about its bytes: the files each executor read (input
     * metrics of the stages that scan files; reads of cached blocks count as input too, elsewhere),
     * and, during training (from the submission of the training master's first stage to the
     * completion of its last), every task result the driver received and every broadcast it made
     * (block updates of its pieces, logged with {@code spark.eventLog.logBlockUpdates.enabled}).
     * Of those, a transfer within 2% of the model's state (parameters and updater state: an
     * averaging round's broadcast or a worker's result) or of its parameters alone (the first
     * round's broadcast, before the updater has state) carries the model, and only what it has
     * beyond that counts; any other transfer counts whole.
     */
    record EventLogBytes(Map<String, Long> fileBytesByExecutor, long resultBytes, long broadcastBytes, long beyondModel) {
        @SuppressWarnings("unchecked")
        static EventLogBytes read(java.nio.file.Path log, long paramBytes, long modelBytes) throws IOException {
            List<Map<String, Object>> events = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                events.add(Json.readMap(line.getBytes(StandardCharsets.UTF_8)));
            }
            Set<Object> scans = new HashSet<>();
            int first = -1;
            int last = -1;
            for (int i = 0; i < events.size(); i++) {
                Map<String, Object> e = events.get(i);
                if (e.get("Event").equals("SparkListenerStageSubmitted") || e.get("Event").equals("SparkListenerStageCompleted")) {
                    Map<String, Object> stage = (Map<String, Object>) e.get("Stage Info");
                    if (((List<Map<String, Object>>) stage.get("RDD Info")).stream().anyMatch(r -> "FileScanRDD".equals(r.get("Name")))) {
                        scans.add(stage.get("Stage ID"));
                    }
                    if (String.valueOf(stage.get("Stage Name")).startsWith("tributary averaging round")) {
                        if (first < 0) first = i;
                        last = i;
                    }
                }
            }
            assertTrue(first >= 0, "no training stage in " + log);
            Map<String, Long> files = new TreeMap<>();
            long results = 0;
            long beyond = 0;
            Map<String, Long> pieces = new HashMap<>();
            for (int i = 0; i < events.size(); i++) {
                Map<String, Object> e = events.get(i);
                boolean training = i >= first && i <= last;
                if (e.get("Event").equals("SparkListenerTaskEnd") && e.get("Task Metrics") != null) {
                    Map<String, Object> m = (Map<String, Object>) e.get("Task Metrics");
                    String executor = (String) ((Map<String, Object>) e.get("Task Info")).get("Executor ID");
                    long read = ((Number) ((Map<String, Object>) m.get("Input Metrics")).get("Bytes Read")).longValue();
                    if (scans.contains(e.get("Stage ID")) && read > 0) files.merge(executor, read, Long::sum);
                    if (training) {
                        long size = ((Number) m.get("Result Size")).longValue();
                        results += size;
                        beyond += beyondModel(size, paramBytes, modelBytes);
                    }
                } else if (e.get("Event").equals("SparkListenerBlockUpdated") && training) {
                    Map<String, Object> info = (Map<String, Object>) e.get("Block Updated Info");
                    String block = (String) info.get("Block ID");
                    String executor = (String) ((Map<String, Object>) info.get("Block Manager ID")).get("Executor ID");
                    if ("driver".equals(executor) && block.matches("broadcast_\\d+_piece\\d+")) {
                        long size = ((Number) info.get("Memory Size")).longValue() + ((Number) info.get("Disk Size")).longValue();
                        pieces.merge(block, size, Math::max);   // its removal is logged too, with size 0
                    }
                }
            }
            // A broadcast is cut into pieces (spark.broadcast.blockSize); a model's is judged whole.
            Map<String, Long> byBroadcast = new HashMap<>();
            pieces.forEach((block, size) -> byBroadcast.merge(block.substring(0, block.indexOf("_piece")), size, Long::sum));
            long broadcasts = 0;
            for (long size : byBroadcast.values()) {
                broadcasts += size;
                beyond += beyondModel(size, paramBytes, modelBytes);
            }
            return new EventLogBytes(files, results, broadcasts, beyond);
        }

        /** The bytes of one transfer that are not the model's: its excess over the model it carries, else all. */
        static long beyondModel(long size, long paramBytes, long modelBytes) {
            for (long model : new long[] {modelBytes, paramBytes}) {
                if (Math.abs(size - model) <= 0.02 * model) {
                    return Math.max(0, size - model);
                }
            }
            return size;
        }
    }

    /** The executors' JVMs (their stderr in the workers' directories) had the vector API, not the fallback. */
    @Test
    @Order(10)
    @SuppressWarnings("unchecked")
    void theKerasSeedModelTrainsFromHdfsToHdfs() throws Exception {
        Path keras = new Path("/models/seed_cnn.h5");
        hdfs.copyFromLocalFile(new Path(ROOT.resolve("common/src/test/resources/keras/seed_cnn.h5").toString()), keras);
        String out = hdfsUrl + "/runs/keras";
        Result r = sh(900, Map.of(), "deploy/submit.sh", "--master", masterUrl, "--", "--data",
                hdfsUrl + "/data/fashion-mnist", "--model", hdfsUrl + keras, "--output", out, "--epochs", "1",
                "--train-examples", "4000", "--test-examples", "1000", "--batch-size-per-worker", "32");
        assertEquals(0, r.code(), r.output());
        MultiLayerNetwork model;
        try (InputStream in = hdfs.open(new Path(out, "model.zip"))) {
            model = ModelSerializer.restoreMultiLayerNetwork(in, true);
        }
        assertEquals(693_962, model.numParams(), "the Keras seed model's parameters");
        assertInstanceOf(ConvolutionLayer.class, model.getLayer(0),
                "saved in DL4J's standard layers");
        Map<String, Object> metrics = Json.readMap(read(new Path(out, "metrics.json")));
        double accuracy = ((Number) metrics.get("test_accuracy")).doubleValue();
        assertTrue(accuracy > 0.6, "test accuracy " + accuracy);
        Map<String, Object> metadata = Json.readMap(read(new Path(out, "metadata.json")));
        assertEquals(hdfsUrl + keras, ((Map<String, Object>) metadata.get("config")).get("model"), metadata.toString());
        String appId = (String) ((Map<String, Object>) metadata.get("spark")).get("application_id");
        Set<String> executors = executorsThatRanTasks(appId);
        assertTrue(executors.size() >= 2, "training tasks ran on executors " + executors);
    }

    /**
     * {@code predict --registry} on the cluster: the champion of the registry that the nightly
     * retraining test (order 7) left on HDFS scores Fashion-MNIST's test split from HDFS into Parquet
     * on HDFS, which Spark reads back: one row per example, and the predictions, checked against the
     * labels by index, give the accuracy the run reported.
     */
    @Test
    @Order(11)
    @SuppressWarnings("unchecked")
    void aRegistrysChampionScoresHdfsDataIntoParquetOnHdfs() throws Exception {
        String registry = hdfsUrl + "/tributary/registry";
        String out = hdfsUrl + "/scored/fashion-mnist";
        Result r = sh(900, Map.of(), "deploy/submit.sh", "--master", masterUrl, "--", "predict", "--registry",
                registry, "--data", hdfsUrl + "/data/fashion-mnist", "--output", out, "--output-format", "parquet");
        assertEquals(0, r.code(), r.output());
        Map<String, Object> metadata = Json.readMap(read(new Path(out, "_tributary/metadata.json")));
        Map<String, Object> model = (Map<String, Object>) metadata.get("model");
        assertEquals(1, ((Number) model.get("version")).intValue(), "the champion: version 1");
        assertEquals(registry, model.get("registry"));
        double reported = ((Number) Json.readMap(read(new Path(out, "_tributary/metrics.json"))).get("accuracy"))
                .doubleValue();
        assertTrue(hdfs.exists(new Path(out, "_SUCCESS")));

        byte[] labels;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(
                java.nio.file.Path.of(FASHION, "t10k-labels-idx1-ubyte.gz")))) {
            labels = in.readAllBytes();
        }
        SparkSession spark = SparkSession.builder()
                .config(SparkConfs.build("cluster-it-read", "local[1]")
                        .set("spark.ui.enabled", "false")).getOrCreate();
        try {
            List<Row> rows = spark.read().parquet(out).select("index", "prediction")
                    .collectAsList();
            assertEquals(10_000, rows.size(), "one row per example");
            assertEquals(10_000, rows.stream().map(row -> row.getLong(0)).distinct().count(), "each example once");
            long right = rows.stream().filter(row -> labels[8 + (int) row.getLong(0)] == row.getInt(1)).count();
            assertEquals(reported, right / 10_000.0, 0.0, "the predictions recount the reported accuracy");
            assertTrue(reported > 0.6, "a trained champion: " + reported);
        } finally {
            spark.stop();
        }
    }

    /**
     * The local cluster's executors map the cluster's class-data archive (deploy/class-archive.sh, run by
     * deploy/test.sh) without a complaint from the JVM, and copy the application jar from its place here
     * rather than fetching it from the driver.
     */
    private static void assertExecutorsStartedFromThisMachinesFiles() throws IOException {
        List<java.nio.file.Path> archives;
        try (var files = Files.list(ROOT.resolve("deploy/target/cds"))) {
            archives = files.filter(f -> f.getFileName().toString().startsWith("tributary-cluster-")).toList();
        }
        assertEquals(1, archives.size(), "the cluster's class-data archive (deploy/class-archive.sh): " + archives);
        List<java.nio.file.Path> stderrs;
        try (var files = Files.walk(STATE.resolve("work"))) {
            stderrs = files.filter(f -> f.getFileName().toString().equals("stderr")).toList();
        }
        for (java.nio.file.Path stderr : stderrs) {
            String log = Files.readString(stderr);
            assertTrue(log.contains("\"-XX:SharedArchiveFile=" + archives.get(0) + "\""), stderr + " maps no archive");
            assertFalse(log.contains("[cds"), stderr + ": the JVM did not map the archive");
            assertTrue(log.contains("Fetching file:" + ROOT.resolve("spark-job/target")), stderr + " fetched the jar");
            // Executors train: the daemons' light JVM options (client compiler only) are not theirs.
            assertTrue(log.contains("CoarseGrainedExecutorBackend"), stderr + " has its launch command");
            assertFalse(log.contains("TieredStopAtLevel"), stderr + ": an executor started with the daemons' JVM options");
            // ... but the compile thresholds of submitted JVMs (TRIBUTARY_JIT).
            assertTrue(log.contains("\"-XX:Tier4InvocationThreshold="), stderr + " lacks TRIBUTARY_JIT's thresholds");
        }
    }

    /** Every daemon up.sh started (master, HDFS, workers) runs with deploy/conf/jvm-options.sh's TRIBUTARY_LIGHT_JVM. */
    private static void assertDaemonsRunLight() throws IOException {
        List<String> daemons = Files.readAllLines(STATE.resolve("pids"));
        assertEquals(4, daemons.size(), "master, HDFS and 2 workers: " + daemons);
        for (String daemon : daemons) {
            String pid = daemon.split(" ")[0];
            String cmdline = Files.readString(java.nio.file.Path.of("/proc", pid, "cmdline")).replace('\0', ' ');
            for (String option : List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:+UseSerialGC")) {
                assertTrue(cmdline.contains(" " + option + " "), daemon + " runs without " + option + ": " + cmdline);
            }
        }
    }

    private static void assertExecutorsRanTheVectorKernels() throws IOException {
        List<java.nio.file.Path> stderrs;
        try (var files = Files.walk(STATE.resolve("work"))) {
            stderrs = files.filter(f -> f.getFileName().toString().equals("stderr")).toList();
        }
        assertTrue(stderrs.size() >= 2, "executor logs: " + stderrs);
        for (java.nio.file.Path stderr : stderrs) {
            String log = Files.readString(stderr);
            assertTrue(log.contains("Using incubator modules: jdk.incubator.vector"), stderr + " lacks the vector API");
            assertFalse(log.contains("scalar kernels"), stderr + " fell back to the scalar kernels");
        }
    }
}
