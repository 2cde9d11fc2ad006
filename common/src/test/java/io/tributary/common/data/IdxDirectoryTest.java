package io.tributary.common.data;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class IdxDirectoryTest {
    @TempDir
    Path tmp;

    private IdxDirectory dir(Path p) {
        return new IdxDirectory(HadoopFs.resolve("data", p.toString(), new Configuration()));
    }

    @Test
    void readsGzippedAndPlainDirectories() throws IOException {
        IdxData gz = dir(IdxFixtures.writeLearnable(tmp.resolve("gz"), 50, 20, 28, 1, true)).read(IdxDirectory.Split.TRAIN);
        IdxData raw = dir(IdxFixtures.writeLearnable(tmp.resolve("raw"), 50, 20, 28, 1, false)).read(IdxDirectory.Split.TRAIN);
        assertEquals(50, gz.count());
        assertEquals(28, gz.rows());
        assertArrayEquals(gz.pixels(), raw.pixels());
        assertArrayEquals(gz.labels(), raw.labels());
        assertEquals(20, dir(tmp.resolve("gz")).read(IdxDirectory.Split.TEST).count());
    }

    @Test
    void rejectsMismatchedCounts() throws IOException {
        Path d = IdxFixtures.writeLearnable(tmp.resolve("d"), 30, 10, 8, 2, false);
        Files.write(d.resolve("train-labels-idx1-ubyte"), IdxFixtures.labels(29, 10, new Random(1)));
        InputException e = assertThrows(InvalidDataException.class, () -> dir(d).read(IdxDirectory.Split.TRAIN));
        assertTrue(e.getMessage().contains("holds 30 images but"), e.getMessage());
        assertTrue(e.getMessage().contains("holds 29 labels; the counts must agree"), e.getMessage());
    }

    @Test
    void theClassesAreTheLargestLabelPlusOne() throws IOException {
        Path d = IdxFixtures.writeLearnable(tmp.resolve("d"), 5, 5, 8, 3, false);
        ByteBuffer b = ByteBuffer.allocate(13).putInt(IdxReader.LABELS_MAGIC).putInt(5);
        b.put(new byte[] {1, 2, 0, 2, 1});
        Files.write(d.resolve("t10k-labels-idx1-ubyte"), b.array());
        assertEquals(3, dir(d).read(IdxDirectory.Split.TEST).numClasses());
    }

    @Test
    void rejectsEmptyMissingAndNonDirectory() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        InputException e = assertThrows(InputException.class, () -> dir(empty).read(IdxDirectory.Split.TRAIN));
        assertTrue(e.getMessage().contains("has no train-images-idx3-ubyte or train-images-idx3-ubyte.gz"), e.getMessage());
        InputException missing = assertThrows(InputException.class,
                () -> dir(tmp.resolve("nope")).read(IdxDirectory.Split.TRAIN));
        assertTrue(missing.getMessage().matches("Data directory .*nope does not exist"), missing.getMessage());
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertTrue(assertThrows(InputException.class, () -> dir(file).read(IdxDirectory.Split.TRAIN))
                .getMessage().contains("is not a directory"));
    }

    @Test
    void fingerprintChangesWithTheData() throws IOException {
        Path d = IdxFixtures.writeLearnable(tmp.resolve("d"), 10, 5, 8, 4, false);
        Map<String, Object> before = dir(d).fingerprint();
        assertEquals(before, dir(d).fingerprint());
        byte[] img = Files.readAllBytes(d.resolve("t10k-images-idx3-ubyte"));
        img[img.length - 1] ^= 1;
        Files.write(d.resolve("t10k-images-idx3-ubyte"), img);
        assertNotEquals(before.get("sha256"), dir(d).fingerprint().get("sha256"));
    }

    @Test
    void fingerprintIsOfTheBytesThatWereRead() throws Exception {
        Path d = IdxFixtures.writeLearnable(tmp.resolve("d"), 10, 5, 8, 5, true);
        Map<String, String> stored = new LinkedHashMap<>();
        for (String name : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            stored.put(name, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(d.resolve(name)))));
        }
        IdxDirectory dir = dir(d);
        IdxData train = dir.read(IdxDirectory.Split.TRAIN);
        dir.read(IdxDirectory.Split.TEST);
        // The files change after the read: the fingerprint must still be that of the bytes trained on,
        // which it can only be if it was taken in the read that parsed them.
        Files.write(d.resolve("train-images-idx3-ubyte.gz"), IdxFixtures.gzip(IdxFixtures.images(10, 8, 8, new Random(9))));
        Map<String, Object> fingerprint = dir.fingerprint();
        assertEquals(stored, fingerprint.get("files"));
        assertEquals(dir(d).location().toString(), fingerprint.get("location"));
        assertEquals(64, ((String) fingerprint.get("sha256")).length());
        assertEquals(10, train.count());
    }

    @Test
    void fingerprintCoversBytesAfterTheLastGzipMember() throws Exception {
        Path d = IdxFixtures.writeLearnable(tmp.resolve("d"), 10, 5, 8, 6, true);
        Path labels = d.resolve("t10k-labels-idx1-ubyte.gz");
        Files.write(labels, new byte[] {0, 0, 0}, StandardOpenOption.APPEND);
        IdxDirectory dir = dir(d);
        dir.read(IdxDirectory.Split.TRAIN);
        dir.read(IdxDirectory.Split.TEST);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(labels))),
                ((Map<?, ?>) dir.fingerprint().get("files")).get("t10k-labels-idx1-ubyte.gz"));
    }

    @Test
    void aLimitReadsOnlyTheFirstExamplesAndStillHashesWholeFiles() throws Exception {
        Path d = IdxFixtures.writeLearnable(tmp.resolve("d"), 40, 5, 8, 7, true);
        IdxData all = dir(d).read(IdxDirectory.Split.TRAIN);
        IdxDirectory limited = dir(d);
        IdxData head = limited.read(IdxDirectory.Split.TRAIN, 15);
        assertEquals(15, head.count());
        assertArrayEquals(all.head(15).pixels(), head.pixels());
        assertArrayEquals(all.head(15).labels(), head.labels());
        assertEquals(40, limited.read(IdxDirectory.Split.TRAIN, 400).count());
        limited.read(IdxDirectory.Split.TEST, 2);
        assertEquals(dir(d).fingerprint(), limited.fingerprint());
    }

    @Test
    void theHeapBudgetCountsOnlyTheExamplesAskedFor() throws IOException {
        Path d = IdxFixtures.writeLearnable(tmp.resolve("d"), 100, 5, 10, 8, false);
        // 100 examples of 10x10 images and a label: 10,100 bytes; a 20,000-byte free heap allows 5,000.
        IdxDirectory small = new IdxDirectory(HadoopFs.resolve("data", d.toString(), new Configuration()),
                () -> new HeapBudget(20_000));
        InputException e = assertThrows(InputException.class, () -> small.read(IdxDirectory.Split.TRAIN));
        assertTrue(e.getMessage().contains(": the train split's headers claim 100 examples (10100 bytes in "
                + "train-images-idx3-ubyte and train-labels-idx1-ubyte), more than the driver may hold in memory"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("read fewer with --train-examples N, or give the driver more heap "
                + "(TRIBUTARY_DRIVER_MEMORY)"), e.getMessage());
        assertTrue(assertThrows(InputException.class, () -> small.read(IdxDirectory.Split.TRAIN, 60)).getMessage()
                .contains("the first 60 of the train split's 100 examples (6060 bytes"));
        assertEquals(40, small.read(IdxDirectory.Split.TRAIN, 40).count());
    }

    @Test
    void unreachableHdfsFailsWithTheUriInBoundedTime() {
        long start = System.nanoTime();
        InputException e = assertThrows(InputException.class, () -> new IdxDirectory(
                HadoopFs.resolve("data", "hdfs://127.0.0.1:1/data", new Configuration())).read(IdxDirectory.Split.TRAIN));
        assertTrue(e.getMessage().contains("hdfs://127.0.0.1:1/data"), e.getMessage());
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        assertTrue((System.nanoTime() - start) / 1e9 < 60, "took too long");
    }
}
