package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import io.tributary.common.io.CrashPoint;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.job.score.ExecutorNetworks;
import io.tributary.job.score.PredictionMetadata;
import io.tributary.job.score.PredictionMetrics;
import io.tributary.job.score.PredictionOutput;
import io.tributary.job.spark.SparkConfs;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code tributary predict} on generated IDX data and its Parquet conversion: the predictions'
 * accuracy is {@code tributary evaluate}'s exactly, one row per example with the documented schema,
 * the output is refused when it exists, a registry's champion scores, each executor builds the
 * network once, and a killed run leaves no output that looks complete.
 */
@Tag("heavy")
class PredictTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path parquet;
    static Path run;
    static final int TEST_EXAMPLES = 600;

    @BeforeAll
    static void trainAModel() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 2000, TEST_EXAMPLES, 28, 5, false);
        run = tmp.resolve("run");
        Cli.Run r = Cli.inProcess("train", "--data", data.toString(), "--output", run.toString(), "--master", "local[2]",
                "--epochs", "1", "--batch-size-per-worker", "32", "--averaging-frequency", "2");
        assertEquals(0, r.code(), r.all());
        parquet = tmp.resolve("parquet");
        r = Cli.inProcess("convert", "--data", data.toString(), "--to", "parquet", "--output", parquet.toString(),
                "--master", "local[2]");
        assertEquals(0, r.code(), r.all());
    }

    static Cli.Run predict(String... args) {
        List<String> all = new ArrayList<>(List.of("predict", "--master", "local[2]"));
        all.addAll(List.of(args));
        return Cli.inProcess(all.toArray(new String[0]));
    }

    static Map<String, Object> json(String text) throws Exception {
        return Json.readMap(text.trim().getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, Object> jsonFile(Path p) throws Exception {
        return Json.readMap(Files.readAllBytes(p));
    }

    static double evaluateAccuracy(String... dataArgs) throws Exception {
        List<String> all = new ArrayList<>(List.of("evaluate", "--model", run.toString(), "--master", "local[2]"));
        all.addAll(List.of(dataArgs));
        Cli.Run r = Cli.inProcess(all.toArray(new String[0]));
        assertEquals(0, r.code(), r.all());
        return ((Number) json(r.out()).get("accuracy")).doubleValue();
    }

    /** Runs {@code f} with a Spark session of the test's own, stopped afterwards (the CLI starts its own). */
    static <T> T withSpark(Function<SparkSession, T> f) {
        SparkSession spark = SparkSession.builder().config(SparkConfs.build("predict-test", "local[2]")).getOrCreate();
        try {
            return f.apply(spark);
        } finally {
            spark.stop();
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    static void assertNoTemporaries(Path parent) throws Exception {
        try (Stream<Path> s = Files.list(parent)) {
            List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("_tmp.")).toList();
            assertEquals(List.of(), left, "temporary directories left in " + parent);
        }
    }

    @Test
    void idxPredictionsHaveEvaluatesAccuracyOneRowPerExampleAndTheirIndex() throws Exception {
        Path out = tmp.resolve("out-idx");
        Cli.Run r = predict("--model", run.toString(), "--data", data.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.all());
        double accuracy = ((Number) json(r.out()).get("accuracy")).doubleValue();
        assertTrue(accuracy > 0.5, "a trained model, not chance: " + accuracy);
        assertEquals(evaluateAccuracy("--data", data.toString()), accuracy, 0.0, "evaluate's accuracy exactly");
        HadoopFs.Location written = HadoopFs.resolve("output", out.toString(), new Configuration());
        assertEquals(accuracy, PredictionMetrics.read(written).accuracy(), 0.0);
        assertTrue(Files.exists(out.resolve(PredictionOutput.SUCCESS)));
        assertNoTemporaries(tmp);

        PredictionMetadata meta = PredictionMetadata.read(written);
        assertEquals(sha256(run.resolve("model.zip")), meta.model().sha256());
        @SuppressWarnings("unchecked") Map<String, Object> trained = (Map<String, Object>) jsonFile(
                run.resolve("metadata.json")).get("data");
        assertEquals(trained.get("sha256"), meta.data().get("sha256"), "the data's fingerprint");

        // The labels of the t10k file, by index: the output's predictions recount the same accuracy.
        byte[] labels = Files.readAllBytes(data.resolve("t10k-labels-idx1-ubyte"));
        List<Row> rows = withSpark(spark -> {
            Dataset<Row> df = spark.read().parquet(out.toString());
            assertEquals(new StructType().add("index", DataTypes.LongType, true).add("prediction", DataTypes.IntegerType, true)
                    .add("probability", DataTypes.createArrayType(DataTypes.FloatType, true), true), df.schema());
            return df.collectAsList();
        });
        assertEquals(TEST_EXAMPLES, rows.size());
        boolean[] seen = new boolean[TEST_EXAMPLES];
        int correct = 0;
        for (Row row : rows) {
            int index = (int) row.getLong(0);
            assertFalse(seen[index], "index " + index + " twice");
            seen[index] = true;
            int prediction = row.getInt(1);
            List<Float> p = row.getList(2);
            assertEquals(10, p.size());
            for (int c = 0; c < p.size(); c++) assertTrue(p.get(c) <= p.get(prediction), "prediction is the most probable");
            if ((labels[8 + index] & 0xff) == prediction) correct++;
        }
        assertEquals(accuracy, correct / (double) TEST_EXAMPLES, 0.0);

        Cli.Run again = predict("--model", run.toString(), "--data", data.toString(), "--output", out.toString());
        assertEquals(2, again.code(), again.all());
        assertTrue(again.err().contains("already exists") && again.err().contains("--overwrite"), again.all());
        Cli.Run replaced = predict("--model", run.toString(), "--data", data.toString(), "--output", out.toString(),
                "--overwrite", "--output-format", "json");
        assertEquals(0, replaced.code(), replaced.all());
        assertEquals(TEST_EXAMPLES, (long) withSpark(spark -> spark.read().json(out.toString()).count()));
        assertNoTemporaries(tmp);
    }

    @Test
    void parquetWithLabelsHasEvaluatesAccuracyAndWithoutLabelsKeepsColumns() throws Exception {
        Path test = parquet.resolve("test");
        Path out = tmp.resolve("out-parquet");
        Cli.Run r = predict("--model", run.toString(), "--data", test.toString(), "--input-shape", "1,28,28",
                "--output", out.toString(), "--batch-size", "64");
        assertEquals(0, r.code(), r.all());
        double accuracy = ((Number) json(r.out()).get("accuracy")).doubleValue();
        assertEquals(evaluateAccuracy("--data", test.toString(), "--input-shape", "1,28,28"), accuracy, 0.0);
        assertEquals(TEST_EXAMPLES, ((Number) json(r.out()).get("examples")).intValue());

        // No label column, an id to keep, in 8 CSV files (each read by a task of its own): more partitions
        // than local[2] runs at once. The features are the IDX test split's pixels, scaled as bytes are.
        Path unlabelled = Files.createDirectories(tmp.resolve("unlabelled"));
        byte[] images = Files.readAllBytes(data.resolve("t10k-images-idx3-ubyte"));
        byte[] labels = Files.readAllBytes(data.resolve("t10k-labels-idx1-ubyte"));
        for (int f = 0; f < 8; f++) {
            StringBuilder csv = new StringBuilder("id,features\n");
            for (int i = f; i < TEST_EXAMPLES; i += 8) {
                csv.append(i).append(',');
                for (int px = 0; px < 784; px++) csv.append(px == 0 ? "" : " ").append(images[16 + i * 784 + px] & 0xff);
                csv.append('\n');
            }
            Files.writeString(unlabelled.resolve("part-" + f + ".csv"), csv);
        }
        Path out2 = tmp.resolve("out-unlabelled");
        long builtBefore = ExecutorNetworks.built();
        r = predict("--model", run.toString(), "--data", unlabelled.toString(), "--input-shape", "1,28,28",
                "--feature-scale", String.valueOf(1.0 / 255), "--output", out2.toString(), "--keep-cols", "id",
                "--output-format", "csv");
        assertEquals(0, r.code(), r.all());
        long built = ExecutorNetworks.built() - builtBefore;
        assertTrue(built >= 1 && built <= 2, "one network per concurrent task of the executor, not per partition: " + built);
        assertFalse(json(r.out()).containsKey("accuracy"), r.out());
        assertFalse(Files.exists(out2.resolve("_tributary/metrics.json")), "no labels, no metrics");
        withSpark(spark -> {
            Dataset<Row> df = spark.read().option("header", "true").csv(out2.toString());
            assertEquals(List.of("id", "prediction", "probability"), List.of(df.columns()));
            List<Row> rows = df.collectAsList();
            assertEquals(TEST_EXAMPLES, rows.size());
            assertEquals(TEST_EXAMPLES, rows.stream().map(row -> row.getString(0)).distinct().count());
            assertEquals(10, rows.get(0).getString(2).split(";").length, rows.get(0).toString());
            long right = rows.stream().filter(row -> Integer.parseInt(row.getString(1))
                    == (labels[8 + Integer.parseInt(row.getString(0))] & 0xff)).count();
            assertEquals(accuracy, right / (double) TEST_EXAMPLES, 0.0, "the same predictions as from Parquet");
            return null;
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void classNamesOfTheModelsMetadataGiveThePredictionLabel() throws Exception {
        Path named = tmp.resolve("named-run");
        Files.createDirectories(named);
        Files.copy(run.resolve("model.zip"), named.resolve("model.zip"));
        Map<String, Object> meta = jsonFile(run.resolve("metadata.json"));
        List<String> names = List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");
        ((Map<String, Object>) meta.get("model")).put("class_names", names);
        Files.writeString(named.resolve("metadata.json"), Json.write(meta));
        Path out = tmp.resolve("out-named");
        Cli.Run r = predict("--model", named.resolve("model.zip").toString(), "--data", data.toString(),
                "--output", out.toString(), "--output-format", "json");
        assertEquals(0, r.code(), r.all());
        withSpark(spark -> {
            Dataset<Row> df = spark.read().json(out.toString());
            assertEquals(List.of("index", "prediction", "prediction_label", "probability"), List.of(df.columns()));
            assertEquals(0, df.where(col("prediction_label").notEqual(org.apache.spark.sql.functions.concat(
                    org.apache.spark.sql.functions.lit("c"), col("prediction").cast("string")))).count());
            return null;
        });
    }

    @Test
    void aRegistrysChampionOrVersionScores() throws Exception {
        Path registry = tmp.resolve("registry");
        Path holdout = IdxFixtures.writeLearnable(tmp.resolve("holdout"), 10, 200, 28, 99, false);
        Cli.Run r = Cli.inProcess("retrain", "--registry", registry.toString(), "--data", data.toString(),
                "--holdout", holdout.toString(), "--master", "local[2]", "--batch-size-per-worker", "32",
                "--averaging-frequency", "2", "--train-eval-examples", "200");
        assertEquals(0, r.code(), r.all());
        Path out = tmp.resolve("out-registry");
        r = predict("--registry", registry.toString(), "--data", data.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.all());
        assertEquals(1, ((Number) json(r.out()).get("version")).intValue());
        PredictionMetadata.Model model = PredictionMetadata.read(
                HadoopFs.resolve("output", out.toString(), new Configuration())).model();
        assertEquals(1, model.version());
        assertEquals(sha256(registry.resolve("models/000001/model.zip")), model.sha256());

        r = predict("--registry", registry.toString(), "--version", "7", "--data", data.toString(), "--output",
                tmp.resolve("out-registry-7").toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("has no version 000007"), r.all());
    }

    @Test
    void badInputIsRefusedWithOneSentenceAndNoOutput() throws Exception {
        Path out = tmp.resolve("out-bad");
        Path empty = Files.createDirectories(tmp.resolve("empty-registry"));
        String[][] cases = {
                {"--output-format", "avro", "--model", run.toString(), "--data", data.toString()},
                {"--batch-size", "0", "--model", run.toString(), "--data", data.toString()},
                {"--model", tmp.resolve("no-such-model.zip").toString(), "--data", data.toString()},
                {"--registry", empty.toString(), "--data", data.toString()},
                {"--model", run.toString(), "--data", parquet.resolve("test").toString(), "--input-shape", "1,14,56"},
                {"--model", run.toString(), "--data", data.toString(), "--keep-cols", "id"},
                {"--split", "validation", "--model", run.toString(), "--data", data.toString()},
        };
        String[] reasons = {"--output-format", "configuration batch-size: must be between 1 and 65536", "does not exist",
                "has no champion", "does not accept", "--keep-cols", "configuration split: must be one of test, train"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of(cases[i]));
            args.addAll(List.of("--output", out.toString()));
            Cli.Run r = predict(args.toArray(new String[0]));
            assertEquals(2, r.code(), r.all());
            assertTrue(r.err().contains(reasons[i]), reasons[i] + " in:\n" + r.all());
            assertFalse(Files.exists(out), "no output for " + args);
        }
        assertNoTemporaries(tmp);
    }

    @Test
    void aRunKilledMidScoringOrBeforeTheRenameLeavesNoOutputThatLooksComplete() throws Exception {
        Path big = IdxFixtures.writeLearnable(tmp.resolve("big"), 10, 20_000, 28, 7, false);
        Path work = Files.createDirectories(tmp.resolve("kill"));
        Path out = work.resolve("predictions");
        String[] args = {"predict", "--model", run.toString(), "--data", big.toString(), "--output", out.toString(),
                "--master", "local[2]", "--batch-size", "1"};
        Cli.Started started = Cli.start(work, List.of(), args);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        boolean scoring = false;
        while (!scoring && started.process().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            try (Stream<Path> s = Files.walk(work)) {   // Spark's task files appear under _temporary
                scoring = s.anyMatch(p -> p.getFileName().toString().equals("_temporary"));
            } catch (UncheckedIOException | NoSuchFileException e) {
                // A directory went while it was listed: look again.
            }
        }
        assertTrue(scoring, "scoring did not start:\n" + Files.readString(started.err()));
        Thread.sleep(1000);
        assertTrue(started.process().isAlive(), "still scoring when killed:\n" + Files.readString(started.err()));
        started.process().destroyForcibly();   // SIGKILL: no shutdown hooks, no clean-up
        assertTrue(started.process().waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(out), "no final output directory");
        assertNoSuccessMarker(work);

        // The crash window between the last file and the rename: still no final directory.
        Cli.Run crashed = Cli.subprocess(work, List.of("-D" + CrashPoint.PROPERTY + "=" + PredictionOutput.CRASH_BEFORE_RENAME),
                "predict", "--model", run.toString(), "--data", data.toString(), "--output", out.toString(),
                "--master", "local[2]");
        assertEquals(CrashPoint.STATUS, crashed.code(), crashed.all());
        assertFalse(Files.exists(out), "no final output directory");

        // What the killed runs left does not stand in the way of the next run.
        Cli.Run r = predict("--model", run.toString(), "--data", data.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(Files.exists(out.resolve(PredictionOutput.SUCCESS)));
    }

    private static void assertNoSuccessMarker(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> markers = s.filter(p -> p.getFileName().toString().equals(PredictionOutput.SUCCESS)).toList();
            assertEquals(List.of(), markers, "a killed run left a completion marker");
        }
    }
}
