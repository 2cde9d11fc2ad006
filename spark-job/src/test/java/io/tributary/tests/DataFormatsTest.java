package io.tributary.tests;

import io.tributary.common.config.ConfigLoader;
import io.tributary.common.data.IdxFixtures;
import io.tributary.common.io.Json;
import io.tributary.job.cli.TributaryCli;
import io.tributary.job.spark.SparkConfs;
import io.tributary.job.train.TrainJob;
import io.tributary.job.train.TrainResult;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Training on the formats Spark users keep data in, read by executors: Parquet with an array column
 * and string labels, CSV, an image folder, IDX converted to Parquet; both sync modes. The data are
 * learnable (each class lights its own band of rows), so a model that learns nears perfect accuracy
 * while chance is 1/classes.
 */
@Tag("heavy")
class DataFormatsTest {
    static final int SIDE = 12;
    static final String[] NAMES = {"ant", "bee", "cat", "dog"};

    @TempDir
    static Path tmp;

    /** A 12x12 image of class {@code label}: its band of three rows bright, the rest dark, with noise. */
    static double[] example(int label, Random rng) {
        double[] px = new double[SIDE * SIDE];
        for (int r = 0; r < SIDE; r++) {
            boolean lit = r / 3 == label;
            for (int c = 0; c < SIDE; c++) {
                px[r * SIDE + c] = lit ? 0.8 + rng.nextDouble() * 0.2 : rng.nextDouble() * 0.25;
            }
        }
        return px;
    }

    @BeforeAll
    static void writeData() throws Exception {
        Random rng = new Random(3);
        List<Row> rows = new ArrayList<>();
        StringBuilder csv = new StringBuilder("label");
        for (int i = 0; i < SIDE * SIDE; i++) csv.append(",p").append(i);
        csv.append('\n');
        for (int n = 0; n < 1600; n++) {
            int label = rng.nextInt(NAMES.length);
            double[] px = example(label, rng);
            List<Double> values = new ArrayList<>();
            for (double v : px) values.add(v);
            rows.add(RowFactory.create(NAMES[label], values));
            csv.append(label);
            for (double v : px) csv.append(',').append((float) v);
            csv.append('\n');
        }
        Files.createDirectories(tmp.resolve("csv"));
        Files.writeString(tmp.resolve("csv/part-0.csv"), csv);
        for (int n = 0; n < 240; n++) {
            int label = n % NAMES.length;
            Path dir = Files.createDirectories(tmp.resolve("images").resolve(NAMES[label]));
            BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
            double[] px = example(label, rng);
            for (int i = 0; i < px.length; i++) img.getRaster().setSample(i % SIDE, i / SIDE, 0, (int) (px[i] * 255));
            ImageIO.write(img, n % 2 == 0 ? "png" : "jpg", dir.resolve(n + (n % 2 == 0 ? ".png" : ".jpg")).toFile());
        }
        StructType schema = new StructType().add("label", DataTypes.StringType)
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType));
        try (SparkSession spark = SparkSession.builder().config(SparkConfs.build("write-data", "local[2]")).getOrCreate()) {
            spark.createDataFrame(rows, schema).repartition(3).write().parquet(tmp.resolve("parquet").toString());
        }
        IdxFixtures.writeLearnable(tmp.resolve("idx"), 2000, 400, 28, 9, true);
    }

    static TrainResult train(String name, Map<String, Object> extra) throws Exception {
        Map<String, Object> flags = new HashMap<>(extra);
        flags.put("output", tmp.resolve("runs").resolve(name).toString());
        flags.put("master", "local[2]");
        flags.put("batch-size-per-worker", 32);
        flags.put("averaging-frequency", 2);
        flags.putIfAbsent("epochs", 2);
        return new TrainJob(ConfigLoader.load(null, flags), new PrintStream(new ByteArrayOutputStream()), false).run();
    }

    @Test
    @SuppressWarnings("unchecked")
    void parquetWithAnArrayColumnAndStringLabelsLearns() throws Exception {
        TrainResult r = train("parquet", Map.of("data", tmp.resolve("parquet").toString(), "input-shape", "1,12,12",
                "test-fraction", 0.2));
        assertTrue(r.test().accuracy() > 0.9, "test accuracy " + r.test().accuracy() + " (chance 0.25)");
        long tested = r.test().report().examples();
        assertTrue(tested > 200 && tested < 450, "about a fifth held out: " + tested);
        Map<String, Object> metadata = Json.readMap(Files.readAllBytes(tmp.resolve("runs/parquet/metadata.json")));
        assertEquals(List.of(NAMES), ((Map<String, Object>) metadata.get("model")).get("class_names"));
        Map<String, Object> data = (Map<String, Object>) metadata.get("data");
        assertTrue(String.valueOf(data.get("method")).startsWith("listing"), data.toString());
        assertEquals(3, ((List<?>) data.get("files")).size(), "three part files: " + data);
    }

    @Test
    void parquetTrainsWithSharedGradientsToo() throws Exception {
        int port = SharedGradientsTest.freeUdpPorts(10);
        Map<String, Object> flags = new HashMap<>(Map.of("data", tmp.resolve("parquet").toString(),
                "input-shape", "1,12,12", "test-fraction", 0.2, "sync", "shared-gradients",
                "shared-controller-address", "127.0.0.1", "shared-port", port,
                "shared-worker-ports", (port + 1) + "-" + (port + 9)));
        TrainResult r = train("parquet-shared", flags);
        assertTrue(r.test().accuracy() > 0.9, "test accuracy " + r.test().accuracy() + " (chance 0.25)");
    }

    @Test
    void csvWithAColumnPerFeatureLearns() throws Exception {
        TrainResult r = train("csv", Map.of("data", tmp.resolve("csv").toString(), "input-shape", "1,12,12",
                "test-fraction", 0.2));
        assertTrue(r.test().accuracy() > 0.9, "test accuracy " + r.test().accuracy() + " (chance 0.25)");
    }

    @Test
    void anImageFolderLearns() throws Exception {
        TrainResult r = train("images", Map.of("data", tmp.resolve("images").toString(), "input-shape", "1,12,12",
                "test-fraction", 0.25, "epochs", 4));
        assertTrue(r.test().accuracy() > 0.8, "test accuracy " + r.test().accuracy() + " (chance 0.25)");
    }

    @Test
    void idxConvertedToParquetTrainsLikeTheIdx() throws Exception {
        Path parquet = tmp.resolve("converted");
        assertEquals(0, TributaryCli.execute("convert", "--data", tmp.resolve("idx").toString(), "--to", "parquet",
                "--output", parquet.toString(), "--master", "local[2]"));
        assertTrue(Files.exists(parquet.resolve("train/_SUCCESS")) && Files.exists(parquet.resolve("test/_SUCCESS")));
        assertEquals(2, TributaryCli.execute("convert", "--data", tmp.resolve("idx").toString(), "--to", "parquet",
                "--output", parquet.toString(), "--master", "local[2]"), "an existing output is refused");
        TrainResult fromParquet = train("converted", Map.of("data", parquet.resolve("train").toString(),
                "test-data", parquet.resolve("test").toString(), "input-shape", "1,28,28"));
        TrainResult fromIdx = train("idx", Map.of("data", tmp.resolve("idx").toString()));
        assertEquals(400, fromParquet.test().report().examples());
        assertEquals(fromIdx.trainExamplesPerEpoch(), fromParquet.trainExamplesPerEpoch());
        assertTrue(fromParquet.test().accuracy() > 0.9, "test accuracy " + fromParquet.test().accuracy());
        assertTrue(fromIdx.test().accuracy() > 0.9, "test accuracy " + fromIdx.test().accuracy());
    }
}
