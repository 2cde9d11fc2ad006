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
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class MnistDirectoryTest {
    @TempDir
    Path tmp;

    private MnistDirectory dir(Path p) {
        return new MnistDirectory(HadoopFs.resolve("data", p.toString(), new Configuration()));
    }

    @Test
    void readsGzippedAndPlainDirectories() throws IOException {
        MnistData gz = dir(IdxFixtures.writeLearnable(tmp.resolve("gz"), 50, 20, 28, 1, true)).read(MnistDirectory.Split.TRAIN);
        MnistData raw = dir(IdxFixtures.writeLearnable(tmp.resolve("raw"), 50, 20, 28, 1, false)).read(MnistDirectory.Split.TRAIN);
        assertEquals(50, gz.count());
        assertEquals(28, gz.rows());
        assertArrayEquals(gz.pixels(), raw.pixels());
        assertArrayEquals(gz.labels(), raw.labels());
        assertEquals(20, dir(tmp.resolve("gz")).read(MnistDirectory.Split.TEST).count());
    }

    @Test
    void rejectsMismatchedCounts() throws IOException {
        Path d = IdxFixtures.writeLearnable(tmp.resolve("d"), 30, 10, 8, 2, false);
        Files.write(d.resolve("train-labels-idx1-ubyte"), IdxFixtures.labels(29, 10, new Random(1)));
        InputException e = assertThrows(InvalidDataException.class, () -> dir(d).read(MnistDirectory.Split.TRAIN));
        assertTrue(e.getMessage().contains("holds 30 images but"), e.getMessage());
        assertTrue(e.getMessage().contains("holds 29 labels; the counts must agree"), e.getMessage());
    }

    @Test
    void rejectsLabelOutOfRange() throws IOException {
        Path d = IdxFixtures.writeLearnable(tmp.resolve("d"), 5, 5, 8, 3, false);
        ByteBuffer b = ByteBuffer.allocate(13).putInt(IdxReader.LABELS_MAGIC).putInt(5);
        b.put(new byte[] {1, 2, 3, 10, 4});
        Files.write(d.resolve("t10k-labels-idx1-ubyte"), b.array());
        InputException e = assertThrows(InvalidDataException.class, () -> dir(d).read(MnistDirectory.Split.TEST));
        assertTrue(e.getMessage().endsWith("t10k-labels-idx1-ubyte: label 10 at index 3 is out of range: labels must be between 0 and 9"),
                e.getMessage());
    }

    @Test
    void rejectsEmptyMissingAndNonDirectory() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        InputException e = assertThrows(InputException.class, () -> dir(empty).read(MnistDirectory.Split.TRAIN));
        assertTrue(e.getMessage().contains("has no train-images-idx3-ubyte or train-images-idx3-ubyte.gz"), e.getMessage());
        InputException missing = assertThrows(InputException.class,
                () -> dir(tmp.resolve("nope")).read(MnistDirectory.Split.TRAIN));
        assertTrue(missing.getMessage().matches("Data directory .*nope does not exist"), missing.getMessage());
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertTrue(assertThrows(InputException.class, () -> dir(file).read(MnistDirectory.Split.TRAIN))
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
    void unreachableHdfsFailsWithTheUriInBoundedTime() {
        long start = System.nanoTime();
        InputException e = assertThrows(InputException.class, () -> new MnistDirectory(
                HadoopFs.resolve("data", "hdfs://127.0.0.1:1/data", new Configuration())).read(MnistDirectory.Split.TRAIN));
        assertTrue(e.getMessage().contains("hdfs://127.0.0.1:1/data"), e.getMessage());
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        assertTrue((System.nanoTime() - start) / 1e9 < 60, "took too long");
    }
}
