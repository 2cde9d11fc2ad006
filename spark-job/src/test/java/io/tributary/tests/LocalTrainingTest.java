package io.tributary.tests;

import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.data.IdxFixtures;
import io.tributary.common.io.Json;
import io.tributary.common.io.JsonFields;
import io.tributary.job.cli.TributaryCli;
import io.tributary.job.train.RoundTimes;
import io.tributary.job.train.TrainJob;
import io.tributary.job.train.TrainResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Trains on a real local[2] Spark session with Kryo, writes through the Hadoop file:// filesystem, reloads. */
class LocalTrainingTest {
    @TempDir
    static Path tmp;
    static Path data;
    static TrainResult result;
    static Path output;

    @BeforeAll
    static void train() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 1200, 300, 28, 11, true);
        output = tmp.resolve("run");
        Map<String, Object> flags = new HashMap<>();
        flags.put("data", data.toString());
        flags.put("output", "file://" + output);
        flags.put("master", "local[2]");
        flags.put("epochs", 2);
        flags.put("batch-size-per-worker", 32);
        flags.put("averaging-frequency", 2);
        TrainConfig config = ConfigLoader.load(null, flags);
        result = new TrainJob(config, new PrintStream(new ByteArrayOutputStream()), false).run();
    }

    @Test
    void learnsTheBandsAlmostPerfectly() {
        // Each class lights its own band of rows: an untrained network scores 0.1 and a loss of ln 10
        // (2.30); two epochs of this CNN separate the classes nearly perfectly.
        assertEquals(2, result.epochs().size());
        assertEquals(300, result.test().report().examples());
        assertTrue(result.test().accuracy() >= 0.95, "test accuracy " + result.test().accuracy());
        var first = result.epochs().get(0);
        var second = result.epochs().get(1);
        assertTrue(second.trainLoss() < first.trainLoss(), "training loss falls: " + first + " then " + second);
        assertTrue(second.testLoss() < 0.5, "test loss " + second.testLoss());
        assertTrue(second.trainAccuracy() >= 0.95, "train accuracy " + second.trainAccuracy());
    }

    @Test
    void savedModelReloadsWithIdenticalOutputsAndUpdaterState() throws Exception {
        Path zip = output.resolve("model.zip");
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), true);
        INDArray input = Nd4j.rand(DataType.FLOAT, 16, 1, 28, 28);
        assertEquals(result.model().params(), restored.params());
        assertEquals(result.model().output(input), restored.output(input));
        INDArray state = restored.getUpdater().getStateViewArray();
        assertNotNull(state, "Adam state must be saved with the model");
        assertTrue(state.sumNumber().doubleValue() != 0.0, "Adam state must be the trained one");
    }

    @Test
    @SuppressWarnings("unchecked")
    void writesMetricsAndMetadata() throws Exception {
        Map<String, Object> metrics = Json.readMap(Files.readAllBytes(output.resolve("metrics.json")));
        assertEquals(result.test().accuracy(), ((Number) metrics.get("test_accuracy")).doubleValue(), 1e-12);
        List<Map<String, Object>> epochs = (List<Map<String, Object>>) metrics.get("epochs");
        assertEquals(2, epochs.size());
        assertTrue(((Number) epochs.get(0).get("examples_per_second")).doubleValue() > 0);
        // 2 replicas of about 600 examples: about 19 minibatches of 32 each, in rounds of at most 2
        Map<String, Object> spark = (Map<String, Object>) Json.readMap(Files.readAllBytes(output.resolve("metadata.json")))
                .get("spark");
        List<Number> dealt = (List<Number>) spark.get("replica_examples");
        int mostBatches = dealt.stream().mapToInt(n -> (n.intValue() + 31) / 32).max().orElseThrow();
        for (Map<String, Object> e : epochs) {
            RoundTimes rounds = RoundTimes.from(new JsonFields(e, "metrics.json").nested("rounds"));
            assertEquals((mostBatches + 1) / 2, rounds.rounds(), "rounds " + rounds + " for replicas of " + dealt);
            assertEquals(2, rounds.replicas());
            assertEquals(mostBatches, rounds.steps(), "the slowest replica's minibatches, summed over the rounds");
            assertEquals(12L * result.model().numParams(), rounds.stateBytes(), "parameters and Adam's two moments");
            double seconds = ((Number) e.get("seconds")).doubleValue();
            assertTrue(0 < rounds.slowestFitSeconds() && rounds.slowestFitSeconds() <= rounds.slowestTaskSeconds()
                    && rounds.slowestTaskSeconds() <= rounds.jobSeconds()
                    && rounds.jobSeconds() + rounds.averageSeconds() <= rounds.seconds() && rounds.seconds() <= seconds,
                    "each part within the one that holds it: " + rounds + " in an epoch of " + seconds + " s");
        }
        for (Map<String, Object> e : epochs) {
            double trainAccuracy = ((Number) e.get("train_accuracy")).doubleValue();
            double testLoss = ((Number) e.get("test_loss")).doubleValue();
            assertTrue(trainAccuracy > 0.5 && trainAccuracy <= 1.0, "train accuracy " + trainAccuracy);
            assertTrue(testLoss > 0 && testLoss < 1.5, "test loss " + testLoss);
        }
        Map<String, Object> test = (Map<String, Object>) metrics.get("test");
        List<Map<String, Object>> wrong = (List<Map<String, Object>>) test.get("misclassified");
        long errors = Math.round((1 - result.test().accuracy()) * 300);
        assertEquals(Math.min(errors, 200), wrong == null ? 0 : wrong.size());
        if (wrong != null) {
            double previous = 1.0;
            for (Map<String, Object> w : wrong) {
                assertNotEquals(w.get("label"), w.get("predicted"));
                int index = ((Number) w.get("index")).intValue();
                assertTrue(index >= 0 && index < 300, "index " + index);
                double p = ((Number) w.get("probability")).doubleValue();
                assertTrue(p <= previous, "misclassified examples come surest first");
                previous = p;
            }
        }
        String report = Files.readString(output.resolve("report.html"));
        assertTrue(report.contains("Confusion matrix") || report.contains("confusion matrix heat map"), report);
        assertEquals(5, report.split("data:image/svg\\+xml;base64,", -1).length - 1, "five charts embedded");
        assertTrue(((Number) metrics.get("wall_seconds")).doubleValue() > 0);
        List<List<Number>> confusion = (List<List<Number>>) metrics.get("confusion_matrix");
        assertEquals(10, confusion.size());
        assertEquals(300, confusion.stream().flatMap(List::stream).mapToLong(Number::longValue).sum());

        Map<String, Object> metadata = Json.readMap(Files.readAllBytes(output.resolve("metadata.json")));
        Map<String, Object> config = (Map<String, Object>) metadata.get("config");
        assertEquals("local[2]", config.get("master"));
        assertEquals(32, config.get("batch-size-per-worker"));
        Map<String, Object> fingerprint = (Map<String, Object>) metadata.get("data");
        assertEquals(64, String.valueOf(fingerprint.get("sha256")).length());
        assertEquals(2, ((Map<String, Object>) metadata.get("spark")).get("workers"));
        assertEquals(System.getProperty("tributary.spark.version"),
                ((Map<String, Object>) metadata.get("libraries")).get("spark_running"), "the Spark the build declares");
        try (var files = Files.list(output)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("_tmp")), "no temporary files left");
        }
    }

    @Test
    void roundsThatWouldOverflowTheDriversResultLimitAreRefusedBeforeTraining() {
        // the reference CNN's parameters and Adam's moments are 8,327,544 bytes a replica: one fits in 8m, two do not
        Path refused = tmp.resolve("too-many-replicas");
        Cli.Run r;
        System.setProperty("spark.driver.maxResultSize", "8m");
        try {
            r = Cli.inProcess("train", "--data", data.toString(), "--output", "file://" + refused, "--master", "local[2]",
                    "--epochs", "1", "--replicas", "2");
        } finally {
            System.clearProperty("spark.driver.maxResultSize");
        }
        HostileDataTest.assertRefused(r, refused, "spark.driver.maxResultSize is 8m (8388608 bytes), but averaging 2"
                + " replicas", "set spark.driver.maxResultSize to at least 16m");
        assertFalse(Cli.hasStackTrace(r.err()), r.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void evaluateCommandReportsTheSameAccuracy() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = TributaryCli.execute("evaluate", "--model", output.toString(), "--data", data.toString(),
                    "--master", "local[2]");
        } finally {
            System.setOut(original);
        }
        assertEquals(0, code);
        String json = out.toString(StandardCharsets.UTF_8);
        Map<String, Object> report = Json.readMap(json.substring(json.indexOf('{')).getBytes(StandardCharsets.UTF_8));
        assertEquals(result.test().accuracy(), ((Number) report.get("accuracy")).doubleValue(), 1e-9);
        List<Map<String, Object>> perClass = (List<Map<String, Object>>) report.get("per_class");
        assertEquals(10, perClass.size());
        for (Map<String, Object> c : perClass) {
            assertTrue(c.containsKey("precision") && c.containsKey("recall") && c.containsKey("f1"));
        }
        assertEquals(10, ((List<?>) report.get("confusion_matrix")).size());
    }
}
