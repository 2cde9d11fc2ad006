package io.tributary.tests;

import io.tributary.common.InputException;
import io.tributary.common.config.BadRecordPolicy;
import io.tributary.common.config.CacheLevel;
import io.tributary.common.config.ConfigLoader;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.data.IdxFixtures;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.model.ModelZoo;
import io.tributary.common.model.NetworkConfig;
import io.tributary.common.store.ModelSource;
import io.tributary.common.store.ModelStore;
import io.tributary.job.read.DataReader;
import io.tributary.job.read.DataSources;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.read.ReadFailure;
import io.tributary.job.spark.SparkConfs;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The fuzz tier's worker, run in a JVM of its own with a small driver's heap: {@code ReaderFuzz
 * FORMAT CASES SEED DIR} writes a valid file of the format, then CASES seeded mutations of it, and
 * passes each through the reader the CLI uses ({@link DataReader} on a local Spark session for data,
 * {@link ModelSource} and {@link ModelStore} for models), within {@value #CASE_SECONDS} s. It prints
 * one line a case ({@code ok}, {@code refused: <the input error>} or {@code FAIL: <what else
 * happened>}) and a summary line; anything but an input error or success is a failure, and an error
 * that kills the JVM (a native crash, an OutOfMemoryError) ends the output at its case's line.
 */
public final class ReaderFuzz {
    static final int CASE_SECONDS = 60;
    static final List<String> FORMATS = List.of("idx", "csv", "parquet", "images", "dl4j-json", "model-zip");

    private final String format;
    private final Path dir;
    private SparkSession spark;
    private Configuration hadoopConf;

    private ReaderFuzz(String format, Path dir) {
        this.format = format;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        String format = args[0];
        int cases = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        ReaderFuzz fuzz = new ReaderFuzz(format, Path.of(args[3]));
        System.exit(fuzz.run(cases, seed));
    }

    private int run(int cases, long seed) throws Exception {
        Path valid = dir.resolve("valid");
        Target target = seedData(valid);
        hadoopConf = new Configuration();
        if (target.spark()) {
            spark = SparkSession.builder().config(SparkConfs.build("reader-fuzz", "local[1]")
                    .set("spark.ui.enabled", "false")).getOrCreate();
            spark.sparkContext().setLogLevel("OFF");
        }
        String baseline = read(valid);
        if (baseline != null) {
            System.out.println("FAIL: the valid " + format + " file is not read: " + baseline);
            return 1;
        }
        int ok = 0;
        int refused = 0;
        int failed = 0;
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-case");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < cases; i++) {
            long caseSeed = seed * 1_000_003L + i;
            Path copy = dir.resolve("case-" + i);
            String what = mutate(valid, copy, target, new Random(caseSeed));
            System.out.println("case " + i + " seed " + caseSeed + ": " + what);
            System.out.flush();
            Future<String> result = pool.submit(() -> read(copy));
            String outcome;
            try {
                String error = result.get(CASE_SECONDS, TimeUnit.SECONDS);
                outcome = error == null ? "ok" : "refused: " + error;
            } catch (TimeoutException e) {
                outcome = "FAIL: no result in " + CASE_SECONDS + " s";
            } catch (ExecutionException e) {
                outcome = "FAIL: " + causes(e.getCause());
            }
            System.out.println("  -> " + outcome);
            if (outcome.equals("ok")) ok++;
            else if (outcome.startsWith("refused")) refused++;
            else failed++;
            delete(copy);
            if (outcome.startsWith("FAIL: no result")) break;
        }
        System.out.printf("summary format=%s cases=%d ok=%d refused=%d failed=%d seed=%d%n", format, cases, ok, refused,
                failed, seed);
        if (spark != null) spark.stop();
        return failed == 0 ? 0 : 1;
    }

    /** What is mutated within the valid data, and how its reader is reached. */
    private record Target(String file, boolean text, ByteOrder order, int[] fields, boolean spark) {
    }

    /** Writes the valid data of the format into {@code valid} and says which file is mutated. */
    private Target seedData(Path valid) throws IOException {
        Files.createDirectories(valid);
        switch (format) {
            case "idx" -> {
                IdxFixtures.writeLearnable(valid, 60, 20, 8, 7, false);
                return new Target("train-images-idx3-ubyte", false, ByteOrder.BIG_ENDIAN, new int[] {0, 4, 8, 12}, true);
            }
            case "csv" -> {
                StringBuilder csv = new StringBuilder("label,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9,p10,p11,p12,p13,p14,p15\n");
                Random rng = new Random(3);
                for (int r = 0; r < 40; r++) {
                    csv.append(r % 3);
                    for (int p = 0; p < 16; p++) csv.append(',').append(rng.nextInt(256));
                    csv.append('\n');
                }
                Files.writeString(valid.resolve("train.csv"), csv, StandardCharsets.UTF_8);
                return new Target("train.csv", true, ByteOrder.BIG_ENDIAN, new int[0], true);
            }
            case "parquet" -> {
                SparkSession s = SparkSession.builder().config(SparkConfs.build("reader-fuzz-seed", "local[1]")
                        .set("spark.ui.enabled", "false")).getOrCreate();
                List<Row> rows = new ArrayList<>();
                Random rng = new Random(3);
                for (int r = 0; r < 40; r++) {
                    float[] f = new float[16];
                    for (int p = 0; p < 16; p++) f[p] = rng.nextFloat();
                    rows.add(RowFactory.create(f, r % 3));
                }
                s.createDataFrame(rows, TableRowsFixture.EXAMPLE_FLOATS).coalesce(1).write().parquet(valid.resolve("t")
                        .toString());
                Path part;
                try (Stream<Path> files = Files.list(valid.resolve("t"))) {
                    part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
                }
                Files.move(part, valid.resolve("train.parquet"));
                delete(valid.resolve("t"));
                int len = (int) Files.size(valid.resolve("train.parquet"));
                return new Target("train.parquet", false, ByteOrder.LITTLE_ENDIAN, new int[] {len - 8, 4}, true);
            }
            case "images" -> {
                for (String cls : List.of("a", "b")) {
                    Files.createDirectories(valid.resolve(cls));
                    for (int i = 0; i < 3; i++) {
                        ImageFolders.write(ImageFolders.rgbRamp(8 + i), "png", valid.resolve(cls + "/" + i + ".png"));
                    }
                    ImageFolders.write(ImageFolders.quadrants(8), "bmp", valid.resolve(cls + "/q.bmp"));
                    ImageFolders.write(ImageFolders.grayRamp(8), "jpg", valid.resolve(cls + "/g.jpg"));
                    ImageFolders.write(ImageFolders.grayHalves(8), "gif", valid.resolve(cls + "/h.gif"));
                }
                return new Target(null, false, ByteOrder.BIG_ENDIAN, new int[0], true);
            }
            case "dl4j-json" -> {
                String json = NetworkConfig.of(ModelZoo.build(ModelZoo.MLP, new InputShape(1, 8, 8), 10, 1e-3, 1,
                        List.of(16))).toJson();
                Files.writeString(valid.resolve("model.json"), json, StandardCharsets.UTF_8);
                IdxFixtures.writeLearnable(dir.resolve("shape"), 4, 4, 8, 1, false);
                return new Target("model.json", true, ByteOrder.BIG_ENDIAN, new int[0], false);
            }
            case "model-zip" -> {
                try (OutputStream out = Files.newOutputStream(valid.resolve("model.zip"))) {
                    ModelStore.write(NetworkConfig.of(ModelZoo.build(ModelZoo.MLP, new InputShape(1, 8, 8), 10,
                            1e-3, 1, List.of(16))).init(null), out);
                }
                return new Target("model.zip", false, ByteOrder.LITTLE_ENDIAN, new int[] {14, 18, 22, 26}, false);
            }
            default -> throw new IllegalArgumentException("formats: " + FORMATS);
        }
    }

    /** Copies the valid data to {@code copy} with one file mutated; returns what was done. */
    private static String mutate(Path valid, Path copy, Target target, Random rng) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(valid)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        Path victim = target.file() != null ? valid.resolve(target.file()) : files.get(rng.nextInt(files.size()));
        String what = null;
        for (Path f : files) {
            Path to = copy.resolve(valid.relativize(f).toString());
            Files.createDirectories(to.getParent());
            if (f.equals(victim)) {
                byte[] bytes = Files.readAllBytes(f);
                Mutations.Mutant m = target.text() ? Mutations.text(bytes, rng)
                        : Mutations.binary(bytes, rng, imageOrder(f, target.order()), fields(f, target.fields()));
                boolean gzip = target.file() != null && target.file().contains("idx") && rng.nextInt(4) == 0;
                Files.write(gzip ? to.resolveSibling(to.getFileName() + ".gz") : to, gzip ? IdxFixtures.gzip(m.bytes())
                        : m.bytes());
                what = valid.relativize(f) + ": " + m.what() + (gzip ? ", gzipped" : "");
            } else {
                Files.copy(f, to);
            }
        }
        return what;
    }

    /** The header fields of an image file: a PNG's width and height, a BMP's sizes and dimensions. */
    private static int[] fields(Path f, int[] fallback) {
        String name = f.getFileName().toString();
        if (name.endsWith(".png")) return new int[] {16, 20, 8};
        if (name.endsWith(".bmp")) return new int[] {2, 10, 14, 18, 22, 34};
        if (name.endsWith(".gif")) return new int[] {6, 8};
        return fallback;
    }

    private static ByteOrder imageOrder(Path f, ByteOrder fallback) {
        String name = f.getFileName().toString();
        return name.endsWith(".bmp") || name.endsWith(".gif") ? ByteOrder.LITTLE_ENDIAN
                : name.endsWith(".png") ? ByteOrder.BIG_ENDIAN : fallback;
    }

    /**
     * Reads the data or model at {@code where} as the CLI does: {@code null} when it is read, the
     * input error's message when refused; anything else is thrown.
     */
    private String read(Path where) throws Exception {
        try {
            switch (format) {
                case "dl4j-json" -> {
                    TrainConfig config = ConfigLoader.load(null, Map.of("data", dir.resolve("shape").toString(),
                            "output", dir.resolve("out").toString(), "model", where.resolve("model.json").toString()));
                    ModelSource.of(config, hadoopConf).network(new InputShape(1, 8, 8), 10);
                }
                case "model-zip" -> ModelStore.load(HadoopFs.resolve("model", where.resolve("model.zip").toString(),
                        hadoopConf));
                default -> {
                    LongAccumulator skipped = spark.sparkContext().longAccumulator("skipped");
                    DataConfig read = new DataConfig(DataFormat.AUTO, null, "label", shape(), 0, 0.0, null,
                            format.equals("idx") ? 0.0 : 0.25, BadRecordPolicy.FAIL, CacheLevel.MEMORY);
                    DataReader.Inputs in = DataReader.training(spark,
                            DataSources.open(where.toString(), read, hadoopConf), read, 0, 0, 42, hadoopConf, skipped);
                    for (ExampleRows rows : List.of(in.train(), in.test())) rows.rows().count();
                }
            }
            return null;
        } catch (Exception e) {
            // As the CLI sees it: an input error in the cause chain, or Spark failing to read a data file.
            Throwable input = null;
            for (Throwable t = e; t != null && input == null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof InputException) input = t;
            }
            if (input == null) input = ReadFailure.of(e, where.toString()).orElseThrow(() -> e);
            String message = input.getMessage();
            if (message == null || message.isBlank() || message.contains("\n")) {
                throw new IllegalStateException("an input error that is not one sentence: " + message, e);
            }
            return message;
        }
    }

    /** Each cause's class and the first line of its message, outermost first. */
    private static String causes(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = String.valueOf(t.getMessage());
            s.append(s.length() == 0 ? "" : " <- ").append(t.getClass().getName()).append(": ")
                    .append(m.lines().findFirst().orElse(""));
        }
        return s.toString();
    }

    private String shape() {
        return switch (format) {
            case "csv", "parquet" -> "1,4,4";
            case "images" -> "3,8,8";
            default -> null;
        };
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
