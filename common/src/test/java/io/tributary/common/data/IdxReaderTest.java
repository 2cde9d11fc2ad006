package io.tributary.common.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class IdxReaderTest {
    private static final String NAME = "hdfs://nn/data/train-images-idx3-ubyte";

    private static IdxReader.Images images(byte[] bytes) throws IOException {
        return IdxReader.readImages(NAME, new ByteArrayInputStream(bytes), false, bytes.length);
    }

    private static IdxReader.Images imagesGz(byte[] raw) throws IOException {
        byte[] gz = IdxFixtures.gzip(raw);
        return IdxReader.readImages(NAME + ".gz", new ByteArrayInputStream(gz), true, gz.length);
    }

    private static IdxReader.Labels labels(byte[] bytes) throws IOException {
        return IdxReader.readLabels("labels", new ByteArrayInputStream(bytes), false, bytes.length);
    }

    private static String failure(Executable e) {
        InvalidDataException ex = assertThrows(InvalidDataException.class, e::run);
        return ex.getMessage();
    }

    interface Executable {
        void run() throws Exception;
    }

    @Test
    void readsValidImagesRawAndGzipped() throws IOException {
        byte[] file = IdxFixtures.images(7, 5, 4, new Random(1));
        IdxReader.Images raw = images(file);
        IdxReader.Images gz = imagesGz(file);
        assertEquals(7, raw.count());
        assertEquals(5, raw.rows());
        assertEquals(4, raw.cols());
        assertArrayEquals(Arrays.copyOfRange(file, 16, file.length), raw.pixels());
        assertArrayEquals(raw.pixels(), gz.pixels());
    }

    @Test
    void readsValidLabels() throws IOException {
        byte[] file = IdxFixtures.labels(9, 10, new Random(2));
        IdxReader.Labels l = labels(file);
        assertEquals(9, l.count());
        assertArrayEquals(Arrays.copyOfRange(file, 8, file.length), l.values());
    }

    @Test
    void rejectsWrongMagicAndSaysWhatTheFileLooksLike() {
        byte[] labelsFile = IdxFixtures.labels(3, 10, new Random(3));
        String msg = failure(() -> images(labelsFile));
        assertTrue(msg.startsWith(NAME + ": magic number is 2049, expected 2051"), msg);
        assertTrue(msg.contains("looks like a label file"), msg);

        byte[] imagesFile = IdxFixtures.images(3, 2, 2, new Random(3));
        assertTrue(failure(() -> labels(imagesFile)).contains("magic number is 2051, expected 2049"));
        assertTrue(failure(() -> images(IdxFixtures.header(0x12345678, 1, 1, 1))).contains("magic number is 305419896"));
    }

    @Test
    void rejectsTruncatedFileRaw() {
        byte[] file = IdxFixtures.images(10, 4, 4, new Random(4));
        byte[] cut = Arrays.copyOf(file, file.length - 5);
        String msg = failure(() -> images(cut));
        assertTrue(msg.contains("file is " + cut.length + " bytes but its header declares " + file.length), msg);
        assertTrue(msg.contains("truncated"), msg);
    }

    @Test
    void rejectsTruncatedFileGzipped() {
        byte[] file = IdxFixtures.images(10, 4, 4, new Random(5));
        String msg = failure(() -> imagesGz(Arrays.copyOf(file, file.length - 5)));
        assertTrue(msg.contains("truncated: header declares 160 bytes of pixels but only 155 follow"), msg);
        byte[] gz = IdxFixtures.gzip(file);
        byte[] cutGz = Arrays.copyOf(gz, gz.length - 12);
        String msg2 = failure(() -> IdxReader.readImages("x.gz", new ByteArrayInputStream(cutGz), true, cutGz.length));
        assertTrue(msg2.startsWith("x.gz: "), msg2);
    }

    @Test
    void skippingIntoATruncatedGzipStreamNamesTheFile() {
        // What a task reading a later range of a gzipped split does first: decompress past the examples before it.
        byte[] gz = IdxFixtures.gzip(IdxFixtures.images(200, 8, 8, new Random(7)));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        String truncated = failure(() -> IdxReader.openImages("x.gz", new ByteArrayInputStream(cut), true, cut.length)
                .skipExamples(190));
        assertTrue(truncated.startsWith("x.gz: ") && truncated.contains("truncated"), truncated);
    }

    @Test
    void rejectsTruncatedHeader() {
        assertTrue(failure(() -> images(new byte[] {0, 0, 8, 3, 0, 0})).contains("file ends inside the header"));
        assertTrue(failure(() -> images(new byte[0])).contains("file ends inside the header (reading the magic number)"));
    }

    @Test
    void rejectsHeaderCountLargerThanFile() {
        byte[] body = new byte[4 * 28 * 28];
        byte[] header = IdxFixtures.header(IdxReader.IMAGES_MAGIC, 60000, 28, 28);
        byte[] file = new byte[header.length + body.length];
        System.arraycopy(header, 0, file, 0, header.length);
        String msg = failure(() -> images(file));
        assertTrue(msg.contains("header declares " + (16 + 60000L * 784)), msg);
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] file = Arrays.copyOf(IdxFixtures.labels(4, 10, new Random(6)), 8 + 4 + 3);
        assertTrue(failure(() -> labels(file)).contains("trailing bytes"));
        assertTrue(failure(() -> IdxReader.readLabels("l.gz", new ByteArrayInputStream(IdxFixtures.gzip(file)), true, -1))
                .contains("trailing bytes"));
    }

    @Test
    void rejectsAbsurdCountsBeforeAllocating() {
        // 2^31-1 images of 4096x4096 would be 32 PiB; the header alone must be refused.
        byte[] file = IdxFixtures.header(IdxReader.IMAGES_MAGIC, Integer.MAX_VALUE, 4096, 4096);
        String msg = failure(() -> IdxReader.readImages("huge", new ByteArrayInputStream(IdxFixtures.gzip(file)), true, -1));
        assertTrue(msg.contains("more than the"), msg);
        assertTrue(failure(() -> images(IdxFixtures.header(IdxReader.IMAGES_MAGIC, -1, 28, 28)))
                .contains("image count 4294967295"));
    }

    @Test
    void rejectsInvalidImageSize() {
        assertTrue(failure(() -> images(IdxFixtures.header(IdxReader.IMAGES_MAGIC, 1, 0, 28)))
                .contains("image size 0x28 is invalid"));
        assertTrue(failure(() -> images(IdxFixtures.header(IdxReader.IMAGES_MAGIC, 1, 28, 70000)))
                .contains("image size 28x70000 is invalid"));
    }

    @Test
    void rejectsNonGzipDataInGzFile() {
        byte[] file = IdxFixtures.images(2, 2, 2, new Random(7));
        String msg = failure(() -> IdxReader.readImages("a.gz", new ByteArrayInputStream(file), true, file.length));
        assertTrue(msg.startsWith("a.gz: is not a valid gzip file"), msg);
    }
}
