package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import io.tributary.job.cli.TributaryCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI contract: exit codes and one clear message on stderr for bad flags, bad data and existing output. */
class CliTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void data() throws Exception {
        data = IdxFixtures.writeLearnable(tmp.resolve("data"), 60, 20, 28, 3, true);
    }

    record Run(int code, String err) {
    }

    private static synchronized Run run(String... args) {
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

    private static String[] train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--output", out.toString(),
                "--master", "local[1]"));
        args.addAll(Arrays.asList(extra));
        return args.toArray(new String[0]);
    }

    private static void assertInputError(Run r, String expected) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(expected), "expected <" + expected + "> in:\n" + r.err());
        assertFalse(Cli.hasStackTrace(r.err()), "no stack trace without --verbose:\n" + r.err());
    }

    @Test
    void missingAndUnknownFlagsAreUsageErrors() {
        assertInputError(run("train", "--output", tmp.resolve("x").toString()), "Missing required configuration data");
        assertInputError(run("train", "--data", "d", "--output", "o", "--epoch", "3"), "Unknown options: '--epoch'");
        assertInputError(run("train", "--data", "d", "--output", "o", "--epochs", "many"),
                "Invalid value \"many\" for configuration epochs: must be between 1 and 10000");
        assertInputError(run("frobnicate"), "Unmatched argument");
    }

    @Test
    void badConfigValuesNameKeyValueAndRule() throws Exception {
        Path out = tmp.resolve("bad-config");
        assertInputError(run(train(out, "--epochs", "0")), "Invalid value 0 for configuration epochs: must be between 1 and 10000");
        assertInputError(run(train(out, "--epochs", "-3")), "Invalid value -3 for configuration epochs");
        assertInputError(run(train(out, "--model", "resnet9000")), "Invalid value \"resnet9000\" for configuration model: must be a zoo name (seed-cnn");
        assertInputError(run(train(out, "--batch-size-per-worker", "0")), "configuration batch-size-per-worker");
        Path yaml = Files.writeString(tmp.resolve("bad.yaml"), "epochs: 2\nlearning_rate: 0.1\n");
        assertInputError(run(train(out, "--config", yaml.toString())), "Unknown configuration key learning_rate in " + yaml);
        assertFalse(Files.exists(out), "nothing is written for a bad config");
        Run verbose = run(train(out, "--epochs", "0", "--verbose"));
        assertEquals(2, verbose.code(), verbose.err());
        assertTrue(Cli.hasStackTrace(verbose.err()), "--verbose prints the stack trace:\n" + verbose.err());
    }

    @Test
    void badDataIsAnInputErrorAndWritesNoModel() throws Exception {
        Path bad = Files.createDirectories(tmp.resolve("bad-data"));
        for (String f : new String[] {"train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(data.resolve(f), bad.resolve(f));
        }
        byte[] images = new GZIPInputStream(Files.newInputStream(data.resolve("train-images-idx3-ubyte.gz"))).readAllBytes();
        Files.write(bad.resolve("train-images-idx3-ubyte"), Arrays.copyOf(images, images.length - 100));
        Path out = tmp.resolve("bad-data-run");
        Run r = run("train", "--data", bad.toString(), "--output", out.toString(), "--master", "local[1]");
        assertInputError(r, "train-images-idx3-ubyte: file is " + (images.length - 100) + " bytes but its header declares "
                + images.length);
        assertFalse(Files.exists(out), "a failed run leaves no output behind");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertInputError(run("train", "--data", empty.toString(), "--output", out.toString()),
                "holds no IDX files (train-images-idx3-ubyte[.gz])");
        assertFalse(Files.exists(out));
    }

    @Test
    void existingOutputIsRefusedWithoutOverwrite() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("existing"));
        Files.writeString(out.resolve("model.zip"), "an older model");
        assertInputError(run(train(out)), "already exists; pass --overwrite");
        assertEquals("an older model", Files.readString(out.resolve("model.zip")));
    }

    @Test
    void unreachableHdfsIsAClearInputError() {
        Run r = run("train", "--data", "hdfs://127.0.0.1:1/mnist", "--output", tmp.resolve("h").toString());
        assertInputError(r, "hdfs://127.0.0.1:1/mnist");
        assertTrue(r.err().contains("unreachable"), r.err());
    }

    @Test
    void evaluateRejectsImagesOfTheWrongSizeForTheModel() throws Exception {
        Path out = tmp.resolve("small-run");
        assertEquals(0, run(train(out, "--batch-size-per-worker", "20")).code());
        assertTrue(Files.exists(out.resolve("model.zip")));
        Path small = IdxFixtures.writeLearnable(tmp.resolve("small"), 10, 10, 14, 4, true);
        assertInputError(run("evaluate", "--model", out.resolve("model.zip").toString(), "--data", small.toString(),
                "--master", "local[1]"), "have shape 1,14,14 (C,H,W), which model");
        assertInputError(run("evaluate", "--model", tmp.resolve("nope.zip").toString(), "--data", small.toString()),
                "nope.zip does not exist");
    }

    @Test
    void mainExitsWithTheStatusInItsOwnProcess() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(TributaryCli.class.getName(), "train", "--data", data.toString(), "--output",
                tmp.resolve("p").toString(), "--epochs", "0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File(tmp.resolve("p.log").toString())).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "process did not finish");
        assertEquals(2, p.exitValue(), Files.readString(tmp.resolve("p.log")));
        assertTrue(Files.readString(tmp.resolve("p.log")).contains("Invalid value 0 for configuration epochs"));
    }

    /** A copy of the fixture with {@code file} (uncompressed) replaced by what {@code edit} makes of it. */
    private static Path corrupted(String name, String file, UnaryOperator<byte[]> edit) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("corrupt-" + name));
        for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte"}) {
            byte[] bytes = new GZIPInputStream(Files.newInputStream(data.resolve(f + ".gz"))).readAllBytes();
            Files.write(dir.resolve(f), f.equals(file) ? edit.apply(bytes) : bytes);
        }
        return dir;
    }

    private static byte[] withInt(byte[] bytes, int offset, int value) {
        byte[] b = bytes.clone();
        ByteBuffer.wrap(b).putInt(offset, value);
        return b;
    }

    @Test
    void eachKindOfCorruptInputIsExitTwoWithItsRuleAndNoModel() throws Exception {
        record Case(String name, String file, UnaryOperator<byte[]> edit, String expected) {
        }
        List<Case> cases = List.of(
                new Case("magic", "train-images-idx3-ubyte", b -> withInt(b, 0, 0x00000999),
                        "train-images-idx3-ubyte: magic number is 2457, expected 2051"),
                new Case("count", "train-images-idx3-ubyte", b -> withInt(b, 4, 60 + 1000),
                        "but its header declares " + (16 + 1060L * 28 * 28)),
                new Case("mismatch", "train-labels-idx1-ubyte",
                        b -> withInt(Arrays.copyOf(b, b.length - 1), 4, 59), "holds 60 images but"),
                new Case("label", "t10k-labels-idx1-ubyte", b -> {
                    byte[] c = b.clone();
                    c[8 + 3] = 12;
                    return c;
                }, "label 12 at index 3"));
        for (Case c : cases) {
            Path out = tmp.resolve("corrupt-run-" + c.name());
            Run r = run("train", "--data", corrupted(c.name(), c.file(), c.edit()).toString(), "--output",
                    out.toString(), "--master", "local[1]");
            assertInputError(r, c.expected());
            assertFalse(Files.exists(out), c.name() + ": no output");
        }
    }

    /** Prints what {@code args} writes to stdout (help and {@code config} print there). */
    private static synchronized String stdout(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.out;
        PrintStream originalErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = TributaryCli.execute(args);
            assertEquals(0, code, String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
            assertFalse(err.toString(StandardCharsets.UTF_8).contains("[picocli WARN]"),
                    String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
        return out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    }

    @Test
    void helpAndConfigShowEachDefaultFromItsKey() {
        String config = stdout("config");
        assertTrue(config.contains("| learning-rate | by sync: param-avg 0.01, shared-gradients 0.001, dl4j-param-avg 0.003 |"),
                config);
        assertTrue(config.contains("| cache | memory-and-disk |"), config);
        assertTrue(config.contains("| batch-size | 500 |") && config.contains("| split | test |"), config);
        String train = stdout("train", "--help");
        assertTrue(train.contains("(default by sync: param-avg 0.01, shared-gradients 0.001"), train);
        assertTrue(train.contains("over the first 30% of the minibatch steps"), "a key's % is text: " + train);
        assertTrue(stdout("evaluate", "--help").contains("--split=MODE"));
        String predict = stdout("predict", "--help");
        assertTrue(predict.contains("--batch-size=N") && predict.contains("(default 500)"), predict);
        assertTrue(predict.contains("--split=MODE") && predict.contains("(default test)"), predict);
        assertTrue(stdout("evaluate", "--help").contains("--split=MODE"));
    }
}
