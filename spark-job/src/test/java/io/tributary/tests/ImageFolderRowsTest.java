package io.tributary.tests;

import io.tributary.common.InputException;
import io.tributary.common.config.BadRecordPolicy;
import io.tributary.common.config.CacheLevel;
import io.tributary.common.config.DataConfig;
import io.tributary.common.config.DataFormat;
import io.tributary.common.config.InputShape;
import io.tributary.job.read.DataSources;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.read.ImageFolderRows;
import io.tributary.job.spark.SparkConfs;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import static io.tributary.tests.ImageFolders.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Image folders read by {@link ImageFolderRows} on a local[2] session with Tributary's Spark
 * configuration (Kryo, registration required): classes and labels from the folders, exact pixels at
 * an image's own size in 1 and 3 channels, the documented resizing filter, and bad input (an
 * undecodable file failed or skipped, an empty class folder, an empty dataset, no input shape).
 */
class ImageFolderRowsTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    /**
     * gray: ramp.png, ramp.bmp, halves.png, deep.png (16-bit); jpeg: solid.jpg, solid2.JPEG (and
     * readme.txt, ignored); rgb: ramp.png, quadrants.png, quadrants.gif, nested/alpha.png; and files
     * that are not read: stray.png directly under the root, .cache/ and _tmp/ (hidden from Spark).
     */
    static Path folder;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().config(SparkConfs.build("image-folder-rows-test", "local[2]")).getOrCreate();
        folder = tmp.resolve("images");
        write(grayRamp(16), "png", folder.resolve("gray/ramp.png"));
        write(grayRamp(16), "bmp", folder.resolve("gray/ramp.bmp"));
        write(grayHalves(16), "png", folder.resolve("gray/halves.png"));
        BufferedImage deep = new BufferedImage(16, 16, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) deep.getRaster().setSample(x, y, 0, ((x + 16 * y) & 0xff) * 257);
        }
        write(deep, "png", folder.resolve("gray/deep.png"));
        write(solid(16, 30, 200, 60, 255), "jpeg", folder.resolve("jpeg/solid.jpg"));
        write(solid(16, 30, 200, 60, 255), "jpeg", folder.resolve("jpeg/solid2.JPEG"));
        write(rgbRamp(16), "png", folder.resolve("rgb/ramp.png"));
        write(quadrants(16), "png", folder.resolve("rgb/quadrants.png"));
        write(quadrants(16), "gif", folder.resolve("rgb/quadrants.gif"));
        write(solid(16, 200, 100, 50, 128), "png", folder.resolve("rgb/nested/alpha.png"));
        write(grayRamp(16), "png", folder.resolve("stray.png"));
        write(grayRamp(16), "png", folder.resolve(".cache/hidden.png"));
        write(grayRamp(16), "png", folder.resolve("_tmp/hidden.png"));
        writeString(folder.resolve("jpeg/readme.txt"), "not an image");
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
        spark = null;
    }

    static DataConfig config(String shape, BadRecordPolicy onBad) {
        return new DataConfig(DataFormat.IMAGES, null, "label", shape, 0, 0.0, null, 0.0, onBad, CacheLevel.MEMORY);
    }

    static ExampleRows read(Path dir, String shape) {
        return read(dir, config(shape, BadRecordPolicy.FAIL), spark.sparkContext().longAccumulator());
    }

    static ExampleRows read(Path dir, DataConfig config, LongAccumulator skipped) {
        return DataSources.open(dir.toString(), config, new Configuration()).rows(spark, 0, null, skipped);
    }

    /** The features of each label's rows. */
    static Map<Integer, List<byte[]>> byLabel(ExampleRows rows) {
        Map<Integer, List<byte[]>> m = new TreeMap<>();
        for (Row r : rows.rows().collectAsList()) {
            m.computeIfAbsent(r.getInt(1), k -> new ArrayList<>()).add((byte[]) r.get(0));
        }
        return m;
    }

    static int count(List<byte[]> rows, byte[] expected) {
        return (int) rows.stream().filter(r -> Arrays.equals(r, expected)).count();
    }

    /** Unsigned values, channel-major, from a function of (channel, y, x). */
    static byte[] pixels(int channels, int height, int width, PixelFn fn) {
        byte[] b = new byte[channels * height * width];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) b[(c * height + y) * width + x] = (byte) fn.at(c, y, x);
            }
        }
        return b;
    }

    interface PixelFn {
        int at(int c, int y, int x);
    }

    static final PixelFn GRAY_RAMP = (c, y, x) -> (x + 16 * y) & 0xff;

    /** Quadrants in gray: luminance of red 76.245, green 149.685, blue 29.07; gray 100 stays 100. */
    static final PixelFn QUADRANTS_GRAY = (c, y, x) -> y < 8 ? (x < 8 ? 76 : 150) : (x < 8 ? 29 : 100);

    static final PixelFn QUADRANTS_RGB = (c, y, x) -> {
        int[] rgb = y < 8 ? (x < 8 ? new int[] {255, 0, 0} : new int[] {0, 255, 0})
                : (x < 8 ? new int[] {0, 0, 255} : new int[] {100, 100, 100});
        return rgb[c];
    };

    @Test
    void classesAreTheSortedFoldersAndLabelsTheirIndices() {
        ExampleRows rows = read(folder, "3,16,16");
        assertEquals(List.of("gray", "jpeg", "rgb"), rows.classNames());
        assertEquals(3, rows.numClasses());
        assertTrue(rows.byteFeatures());
        assertEquals(new InputShape(3, 16, 16), rows.shape());
        assertEquals(folder.toString(), rows.source());
        var schema = rows.rows().schema();
        assertEquals(List.of(ExampleRows.FEATURES, ExampleRows.LABEL), Arrays.asList(schema.fieldNames()));
        assertEquals(DataTypes.BinaryType, schema.apply(ExampleRows.FEATURES).dataType());
        assertEquals(DataTypes.IntegerType, schema.apply(ExampleRows.LABEL).dataType());

        Map<Integer, List<byte[]>> m = byLabel(rows);
        // Nested folders count for their class folder; stray.png, .cache, _tmp and readme.txt are not read.
        assertEquals(Map.of(0, 4, 1, 2, 2, 4), Map.of(0, m.get(0).size(), 1, m.get(1).size(), 2, m.get(2).size()));
        m.values().forEach(list -> list.forEach(f -> assertEquals(3 * 16 * 16, f.length)));
    }

    @Test
    void oneChannelAtTheImagesOwnSizeIsExact() {
        Map<Integer, List<byte[]>> m = byLabel(read(folder, "1,16,16"));
        List<byte[]> gray = m.get(0);
        // The PNG, the BMP (a gray palette) and the 16-bit PNG (v * 257) all give the ramp itself.
        assertEquals(3, count(gray, pixels(1, 16, 16, GRAY_RAMP)), "gray ramp from .png, .bmp and 16-bit .png");
        assertEquals(1, count(gray, pixels(1, 16, 16, (c, y, x) -> x < 8 ? 0 : 255)));

        List<byte[]> rgb = m.get(2);
        assertEquals(2, count(rgb, pixels(1, 16, 16, QUADRANTS_GRAY)), "luminance of the .png and .gif quadrants");
        // 50% alpha over black: (200, 100, 50) * 128/255, luminance 62.34.
        assertEquals(1, count(rgb, pixels(1, 16, 16, (c, y, x) -> 62)));

        for (byte[] jpeg : m.get(1)) {
            for (byte v : jpeg) assertEquals(133, v & 0xff, 3, "JPEG of (30, 200, 60): luminance 133.07");
        }
    }

    @Test
    void threeChannelsAtTheImagesOwnSizeAreExactAndChannelMajor() {
        Map<Integer, List<byte[]>> m = byLabel(read(folder, "3,16,16"));
        List<byte[]> rgb = m.get(2);
        assertEquals(1, count(rgb, pixels(3, 16, 16, (c, y, x) -> new int[] {16 * x + 5, 16 * y + 3, 77}[c])));
        assertEquals(2, count(rgb, pixels(3, 16, 16, QUADRANTS_RGB)));
        assertEquals(1, count(rgb, pixels(3, 16, 16, (c, y, x) -> new int[] {100, 50, 25}[c])));
        assertEquals(3, count(m.get(0), pixels(3, 16, 16, GRAY_RAMP)), "gray repeated in R, G and B");
        for (byte[] jpeg : m.get(1)) {
            for (int i = 0; i < jpeg.length; i++) {
                assertEquals(new int[] {30, 200, 60}[i / 256], jpeg[i] & 0xff, 3, "JPEG channel " + i / 256);
            }
        }
    }

    @Test
    void resizingUsesTheAntialiasedBilinearFilter() {
        // Halving 16 -> 8: output column 3 reads source columns 5..8 with weights 1/8, 3/8, 3/8, 1/8,
        // so only column 8 (white) counts: 255/8 = 31.9; column 4 is its mirror, 255 * 7/8 = 223.1.
        byte[] halved = pixels(1, 8, 8, (c, y, x) -> new int[] {0, 0, 0, 32, 223, 255, 255, 255}[x]);
        assertEquals(1, count(byLabel(read(folder, "1,8,8")).get(0), halved));
        // The same across with the rows doubled (16 -> 32, a uniform column stays uniform).
        byte[] tall = pixels(1, 32, 8, (c, y, x) -> new int[] {0, 0, 0, 32, 223, 255, 255, 255}[x]);
        assertEquals(1, count(byLabel(read(folder, "1,32,8")).get(0), tall));
        // Doubling 16 -> 32 is bilinear: column 15 is 3/4 of source 7 and 1/4 of source 8 (63.75),
        // column 16 the other way round (191.25).
        byte[] wide = pixels(1, 8, 32, (c, y, x) -> x < 15 ? 0 : x == 15 ? 64 : x == 16 ? 191 : 255);
        assertEquals(1, count(byLabel(read(folder, "1,8,32")).get(0), wide));
        // One colour stays that colour at any size, here by uneven factors.
        assertEquals(1, count(byLabel(read(folder, "3,5,7")).get(2), pixels(3, 5, 7, (c, y, x) -> new int[] {100, 50, 25}[c])));
    }

    /** A class folder {@code ok} with one good image, plus {@code bad} written into it as {@code name}. */
    static Path withBadFile(String dirName, String name, byte[] bad) throws Exception {
        Path dir = tmp.resolve(dirName);
        write(grayRamp(16), "png", dir.resolve("ok/good.png"));
        write(grayRamp(16), "png", dir.resolve("other/good.png"));
        Files.write(dir.resolve("ok").resolve(name), bad);
        return dir;
    }

    static byte[] randomBytes() {
        byte[] b = new byte[2000];
        new Random(7).nextBytes(b);
        b[0] = 'x'; // no image header starts with it
        return b;
    }

    static InputException inputError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InputException ie) return ie;
        }
        return fail("no InputException in the cause chain of " + e);
    }

    @Test
    void anUndecodableImageFailsTheReadNamingItsPath() throws Exception {
        Path dir = withBadFile("corrupt-fail", "broken.png", randomBytes());
        ExampleRows rows = read(dir, "1,16,16");
        Exception e = assertThrows(Exception.class, () -> rows.rows().count());
        String m = inputError(e).getMessage();
        assertTrue(m.startsWith("Image file:" + dir.resolve("ok/broken.png") + " is not a JPEG, PNG, GIF or BMP image"), m);
        assertTrue(m.contains("--on-bad-record skip"), m);
    }

    @Test
    void anUndecodableImageIsSkippedAndCounted() throws Exception {
        Path dir = withBadFile("corrupt-skip", "broken.png", randomBytes());
        LongAccumulator skipped = spark.sparkContext().longAccumulator();
        ExampleRows rows = read(dir, config("1,16,16", BadRecordPolicy.SKIP), skipped);
        assertEquals(2, rows.rows().count());
        assertEquals(1, skipped.value());
    }

    @Test
    void aTruncatedPngIsABadRecord() throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(grayRamp(16), "png", png);
        Path truncated = withBadFile("truncated", "cut.png", Arrays.copyOf(png.toByteArray(), 60));
        String m = inputError(assertThrows(Exception.class, () -> read(truncated, "1,16,16").rows().count())).getMessage();
        assertTrue(m.startsWith("Image file:" + truncated.resolve("ok/cut.png") + " cannot be decoded by ImageIO ("), m);
    }

    @Test
    void aCmykJpegIsConvertedToRgb() throws Exception {
        // ImageIO decodes four-channel JPEGs into a CMYK colour space; Java2D converts that to sRGB.
        Path cmyk = withBadFile("cmyk", "cmyk.jpg", cmykJpeg());
        List<byte[]> ok = byLabel(read(cmyk, "3,16,16")).get(0);
        assertEquals(2, ok.size());
        assertEquals(1, count(ok, pixels(3, 16, 16, GRAY_RAMP)), "the ramp, and the CMYK image");
        byte[] converted = ok.stream().filter(f -> !Arrays.equals(f, pixels(3, 16, 16, GRAY_RAMP))).findFirst().orElseThrow();
        for (int i = 1; i < converted.length / 3; i++) assertEquals(converted[0], converted[i], "one colour, as written");
    }

    /** A four-channel JPEG of one colour, as ImageIO writes a raster. */
    static byte[] cmykJpeg() throws Exception {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE,
                16, 16, 4, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    @Test
    void anEmptyClassFolderIsRefusedByName() throws Exception {
        Path dir = tmp.resolve("empty-class");
        write(grayRamp(16), "png", dir.resolve("a/x.png"));
        writeString(dir.resolve("b/notes.txt"), "no images here");
        InputException e = assertThrows(InputException.class, () -> read(dir, "1,16,16"));
        assertEquals("Class folder file:" + dir.resolve("b") + " holds no image; every class folder needs at least one "
                + ".jpg, .jpeg, .png, .gif or .bmp file (its 1 other files are ignored)", e.getMessage());
    }

    @Test
    void anEmptyDatasetIsRefused() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        InputException e = assertThrows(InputException.class, () -> read(empty, "1,16,16"));
        assertTrue(e.getMessage().startsWith("Data directory file:" + empty + " holds no class folders;"), e.getMessage());

        Path flat = tmp.resolve("flat");
        write(grayRamp(16), "png", flat.resolve("x.png"));
        e = assertThrows(InputException.class, () -> read(flat, "1,16,16"));
        assertTrue(e.getMessage().endsWith("(the 1 images directly under it belong to no class)"), e.getMessage());

        InputException missing = assertThrows(InputException.class, () -> read(tmp.resolve("nowhere"), "1,16,16"));
        assertTrue(missing.getMessage().endsWith("does not exist"), missing.getMessage());
    }

    @Test
    void theInputShapeIsRequiredWithOneOrThreeChannels() {
        InputException e = assertThrows(InputException.class, () -> read(folder, null));
        assertTrue(e.getMessage().startsWith("--input-shape is required for the image folder " + folder), e.getMessage());
        e = assertThrows(InputException.class, () -> read(folder, "2,16,16"));
        assertTrue(e.getMessage().startsWith("--input-shape 2,16,16 has 2 channels;"), e.getMessage());
        e = assertThrows(InputException.class, () -> read(folder,
                new DataConfig(DataFormat.IMAGES, null, "label", "1,16,16", 5, 0.0, null, 0.0, BadRecordPolicy.FAIL,
                        CacheLevel.MEMORY), spark.sparkContext().longAccumulator()));
        assertTrue(e.getMessage().startsWith("--num-classes 5 does not match the 3 class folders"), e.getMessage());
    }

    @Test
    void manyClassFoldersAreListedBySparksParallelListing() {
        // More directories than spark.sql.sources.parallelPartitionDiscovery.threshold (32): Spark lists
        // them with a job, whose results travel through Kryo with registration required.
        Path dir = tmp.resolve("many");
        for (int c = 0; c < 40; c++) write(solid(2, c, c, c, 255), "png", dir.resolve(String.format("c%02d/x.png", c)));
        ExampleRows rows = read(dir, "1,2,2");
        assertEquals(40, rows.numClasses());
        Map<Integer, List<byte[]>> m = byLabel(rows);
        assertEquals(40, m.size());
        for (int c = 0; c < 40; c++) assertArrayEquals(new byte[] {(byte) c, (byte) c, (byte) c, (byte) c}, m.get(c).get(0));
    }

    static void writeString(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
