package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Data files that declare their own sizes, or whose folders are not what they look like, handed to
 * {@code tributary train} in a JVM with a small driver's 512 MiB heap (local mode: the executors are
 * in it too): each ends in exit 2 with one sentence naming the file and the rule, nothing written,
 * no lock left, never an OutOfMemoryError or an endless listing.
 */
@Tag("security")
class HostileDataTest {
    private static final List<String> SMALL_HEAP = List.of("-Xmx512m");

    @TempDir
    Path tmp;

    @Test
    void oneLabelCannotMakeAHugeNumberOfClasses() throws Exception {
        StringBuilder csv = new StringBuilder("label,a,b,c,d\n");
        for (int i = 0; i < 64; i++) csv.append(i == 40 ? 29_999 : i % 3).append(",1,2,3,4\n");
        Path data = write(tmp.resolve("labels/train.csv"), csv.toString());
        Path run = tmp.resolve("labels-run");
        Cli.Run r = train(data, run, "--model", "mlp", "--input-shape", "1,2,2", "--test-fraction", "0.25");
        assertRefused(r, run, "The largest label in column label of", "is 29999, which makes 30,000 classes, more than"
                + " max-classes 10000");
    }

    @Test
    void aGzippedIdxFileCutShortIsNamedByTheTasksThatReadOrSkipIntoTheCut() throws Exception {
        // 30,000 gzipped examples take two tasks under local[2]: the first reads the first half, the second
        // decompresses through it to reach its own. The cut, a third of the way in, lies in both paths.
        Path data = IdxFixtures.writeLearnable(tmp.resolve("idx-gz"), 30_000, 100, 8, 3, true);
        Path images = data.resolve("train-images-idx3-ubyte.gz");
        byte[] gz = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(gz, gz.length / 3));
        Path run = tmp.resolve("idx-gz-run");
        assertRefused(train(data, run), run, images.toString(), "compressed data is corrupt or truncated");
    }

    @Test
    void aBmpDeclaringAHugeRasterIsRefusedFromItsHeader() throws Exception {
        Path data = imageFolder("bmp");
        // 58 bytes: a 32-bit BMP of 9459 x 9459 pixels (just under the pixel limit), 358 MB decoded; one in
        // each class, so that local[2]'s two tasks decode two at once.
        Files.write(data.resolve("a/bomb.bmp"), bmp(9459, 9459));
        Files.write(data.resolve("b/bomb.bmp"), bmp(9459, 9459));
        Path run = tmp.resolve("bmp-run");
        Cli.Run r = train(data, run, "--input-shape", "1,8,8", "--test-fraction", "0.25");
        assertRefused(r, run, "bomb.bmp is 9459x9459 pixels of 4 bytes: 357,890,724 bytes decoded, more than"
                + " max-image-bytes 67108864");

        Cli.Run skipped = train(data, tmp.resolve("bmp-skip"), "--input-shape", "1,8,8", "--test-fraction", "0.25",
                "--on-bad-record", "skip");
        assertEquals(0, skipped.code(), skipped.all());
        assertTrue(skipped.all().contains("max-image-bytes"), "the skipped image is logged with its rule: " + skipped.all());
    }

    @Test
    void aSixteenBitPngDeclaringAHugeRasterIsRefusedFromItsHeader() throws Exception {
        Path data = imageFolder("png16");
        byte[] png = png(9000, 9000, 16, 6);   // RGBA, 16 bits a sample: 8 bytes a pixel, 648 MB decoded
        assertTrue(png.length < 64, "a few dozen bytes: " + png.length);
        Files.write(data.resolve("a/bomb.png"), png);
        Path run = tmp.resolve("png-run");
        Cli.Run r = train(data, run, "--input-shape", "1,8,8", "--test-fraction", "0.25");
        assertRefused(r, run, "bomb.png is 9000x9000 pixels of 8 bytes: 648,000,000 bytes decoded, more than"
                + " max-image-bytes 67108864");
    }

    @Test
    void aCsvLineBombIsRefusedOnTheDriverWithoutReadingTheLine() throws Exception {
        // 2.2 MB of gzip holding one line of 2.2e9 bytes: 35 gzip members of 64 MiB of 'a' each.
        Path file = tmp.resolve("lines/train.csv.gz");
        Files.createDirectories(file.getParent());
        byte[] member = gzipOf(64 << 20, (byte) 'a');
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 35; i++) out.write(member);
        }
        assertTrue(Files.size(file) < 4 << 20, "a few MB: " + Files.size(file));
        Path run = tmp.resolve("lines-run");
        Cli.Run r = train(file.getParent(), run, "--model", "mlp", "--input-shape", "1,2,2", "--test-fraction", "0.25");
        assertRefused(r, run, "train.csv.gz: line 1 is longer than max-line-bytes 16777216 bytes");
    }

    @Test
    void aLongLineInsideACsvFileIsRefusedOnTheExecutors() throws Exception {
        String longLine = "1," + "9".repeat(5_000) + ",2,3,4\n";
        Path data = write(tmp.resolve("inner/train.csv"), "label,a,b,c,d\n" + "0,1,2,3,4\n".repeat(20) + longLine
                + "1,1,2,3,4\n".repeat(20));
        Path run = tmp.resolve("inner-run");
        Cli.Run r = Cli.inProcess("train", "--data", data.getParent().toString(), "--output", run.toString(),
                "--master", "local[2]", "--model", "mlp", "--input-shape", "1,2,2", "--test-fraction", "0.25",
                "--max-line-bytes", "4096");
        assertRefused(r, run, "train.csv: line 22 is longer than max-line-bytes 4096 bytes");
    }

    @Test
    void linksThatLoopOrLeaveTheDataAreRefusedBeforeAnythingIsListedForever() throws Exception {
        Path data = imageFolder("links");
        Files.createSymbolicLink(data.resolve("a/again"), Path.of("."));
        Files.createSymbolicLink(data.resolve("a/and-again"), Path.of("."));
        Path run = tmp.resolve("links-run");
        // In a process of its own: a listing that never ends is stopped after two minutes, and fails the test.
        Cli.Started started = Cli.start(tmp, List.of(), "train", "--data", data.toString(), "--output", run.toString(),
                "--master", "local[2]", "--input-shape", "1,8,8", "--test-fraction", "0.25");
        if (!started.process().waitFor(120, TimeUnit.SECONDS)) {
            started.process().destroyForcibly().waitFor();
            fail("the listing of a folder with two links to itself did not end in 120 s");
        }
        Cli.Run loop = started.finish();
        assertRefused(loop, run, "again is a symbolic link that leads to the directory " + data.resolve("a").toRealPath());

        Files.delete(data.resolve("a/again"));
        Files.delete(data.resolve("a/and-again"));
        Path secret = write(tmp.resolve("secret.png"), "not for training");
        Files.createSymbolicLink(data.resolve("b/secret.png"), secret);
        Cli.Run outside = Cli.inProcess("train", "--data", data.toString(), "--output", run.toString(),
                "--master", "local[2]", "--input-shape", "1,8,8", "--test-fraction", "0.25");
        assertRefused(outside, run, "b/secret.png is a symbolic link that leads to " + secret.toRealPath()
                + ", outside the data directory");
    }

    @Test
    void labelsMixingNumbersAndWordsAreRefusedUnlessTheUserSaysWhichTheyAre() throws Exception {
        StringBuilder csv = new StringBuilder("label,a,b,c,d\n");
        for (int i = 0; i < 120; i++) csv.append(i == 70 ? "?" : String.valueOf(i % 12)).append(",1,2,3,4\n");
        Path data = write(tmp.resolve("mixed/train.csv"), csv.toString());
        Path run = tmp.resolve("mixed-run");
        Cli.Run r = Cli.inProcess("train", "--data", data.getParent().toString(), "--output", run.toString(),
                "--master", "local[2]", "--model", "mlp", "--input-shape", "1,2,2", "--test-fraction", "0.25");
        assertRefused(r, run, "mixes class indices and class names: \"0\" (", "train.csv line 2) is a number but \"?\" (",
                "train.csv line 72) is not; give --label-type index");

        Cli.Run asNames = Cli.inProcess("train", "--data", data.getParent().toString(), "--output", run.toString(),
                "--master", "local[2]", "--model", "mlp", "--input-shape", "1,2,2", "--test-fraction", "0.25",
                "--label-type", "name");
        assertEquals(0, asNames.code(), asNames.all());
        Cli.Run asIndices = Cli.inProcess("train", "--data", data.getParent().toString(), "--output",
                tmp.resolve("mixed-indices").toString(), "--master", "local[2]", "--model", "mlp", "--input-shape", "1,2,2",
                "--test-fraction", "0.25", "--label-type", "index");
        assertEquals(2, asIndices.code(), asIndices.all());
        assertTrue(asIndices.err().contains("label \"?\" in column label is not an integer"), asIndices.all());
    }

    private Cli.Run train(Path data, Path run, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--output",
                run.toString(), "--master", "local[2]", "--epochs", "1"));
        args.addAll(Arrays.asList(more));
        return Cli.subprocess(tmp, SMALL_HEAP, args.toArray(new String[0]));
    }

    /**
     * Exit 2, the last line of stderr one sentence of Tributary's holding every part (Spark's executor
     * may log the failed task before it), no OutOfMemoryError, and no output directory left.
     */
    static void assertRefused(Cli.Run r, Path run, String... parts) {
        assertEquals(2, r.code(), r.all());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        assertTrue(last.startsWith("tributary: "), "the error is the last line:\n" + r.all());
        for (String part : parts) assertTrue(last.contains(part), "\"" + part + "\" in:\n" + r.all());
        assertFalse(r.all().contains("OutOfMemoryError"), r.all());
        assertFalse(Files.exists(run), "nothing written, no lock left: " + run);
    }

    private Path imageFolder(String name) throws IOException {
        Path root = tmp.resolve(name);
        for (String cls : List.of("a", "b")) {
            Files.createDirectories(root.resolve(cls));
            for (int i = 0; i < 6; i++) {
                ImageFolders.write(ImageFolders.solid(8, cls.equals("a") ? 20 : 230, 40 * i, 0, 255), "png",
                        root.resolve(cls + "/" + i + ".png"));
            }
        }
        return root;
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** A BMP file header and BITMAPINFOHEADER for a 32-bit image of {@code w} x {@code h}, with 4 bytes of pixels. */
    static byte[] bmp(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(58).order(ByteOrder.LITTLE_ENDIAN);
        // The file size field claims 4 GiB: ImageIO checks an uncompressed raster against it, not the file.
        b.put((byte) 'B').put((byte) 'M').putInt(-1).putInt(0).putInt(54);
        b.putInt(40).putInt(w).putInt(h).putShort((short) 1).putShort((short) 32).putInt(0).putInt(0)
                .putInt(2835).putInt(2835).putInt(0).putInt(0);
        b.putInt(0);
        return b.array();
    }

    /** A PNG of {@code w} x {@code h} with only its header chunk and the end chunk: no pixel data at all. */
    static byte[] png(int w, int h, int bitDepth, int colorType) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) bitDepth).put((byte) colorType)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] gzipOf(int n, byte value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] block = new byte[1 << 20];
        Arrays.fill(block, value);
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            for (int i = 0; i < n / block.length; i++) gz.write(block);
        }
        return bytes.toByteArray();
    }
}
