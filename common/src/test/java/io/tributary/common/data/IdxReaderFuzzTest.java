package io.tributary.common.data;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random bytes and random mutations of valid files: the reader always ends in a valid dataset or
 * an {@link InvalidDataException}, and for uncompressed files never allocates much more than the file.
 */
class IdxReaderFuzzTest {
    private static final ThreadMXBean THREADS =
            (ThreadMXBean) ManagementFactory.getThreadMXBean();
    /**
     * Stream buffers, small objects and one-off class initialization on the first use of an error path:
     * what the reader may allocate whatever the file's size, far below what a header claiming thousands
     * of images would make a reader allocate up front.
     */
    private static final long FIXED_ALLOWANCE = 1024 * 1024;

    @Test
    void mutatedAndRandomFilesEndInDataOrAClearError() throws Exception {
        Random rng = new Random(20261128L);
        byte[] validImages = IdxFixtures.images(20, 6, 5, rng);
        byte[] validLabels = IdxFixtures.labels(20, 10, rng);
        int valid = 0;
        int rejected = 0;
        // Unmeasured warm-up: class loading and the first string concatenations allocate once per JVM.
        Random warm = new Random(7);
        for (int i = 0; i < 300; i++) {
            boolean imagesFile = warm.nextBoolean();
            byte[] file = mutate(imagesFile ? validImages : validLabels, warm);
            try {
                if (imagesFile) {
                    IdxReader.readImages("f", new ByteArrayInputStream(file), false, file.length);
                } else {
                    IdxReader.readLabels("f", new ByteArrayInputStream(file), false, file.length);
                }
            } catch (InvalidDataException expected) {
                // warm-up only
            }
        }
        for (int i = 0; i < 3000; i++) {
            boolean imagesFile = rng.nextBoolean();
            byte[] file = mutate(imagesFile ? validImages : validLabels, rng);
            boolean gzip = rng.nextInt(4) == 0;
            byte[] stored = gzip && rng.nextBoolean() ? IdxFixtures.gzip(file) : file;
            long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
            try {
                if (imagesFile) {
                    IdxReader.Images img = IdxReader.readImages("f", new ByteArrayInputStream(stored), gzip,
                            gzip ? -1 : stored.length);
                    assertEquals((long) img.count() * img.rows() * img.cols(), img.pixels().length);
                } else {
                    IdxReader.Labels l = IdxReader.readLabels("f", new ByteArrayInputStream(stored), gzip,
                            gzip ? -1 : stored.length);
                    assertEquals(l.count(), l.values().length);
                }
                valid++;
            } catch (InvalidDataException e) {
                assertTrue(e.getMessage().startsWith("f: "), e.getMessage());
                rejected++;
            }
            long allocated = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            if (!gzip) {
                assertTrue(allocated <= stored.length + FIXED_ALLOWANCE,
                        "allocated " + allocated + " bytes for a file of " + stored.length);
            }
        }
        assertTrue(valid > 0 && rejected > 0, "valid " + valid + ", rejected " + rejected);
    }

    private static byte[] mutate(byte[] original, Random rng) {
        switch (rng.nextInt(5)) {
            case 0: { // random bytes
                byte[] b = new byte[rng.nextInt(64)];
                rng.nextBytes(b);
                return b;
            }
            case 1: { // flip bytes anywhere, often in the header
                byte[] b = original.clone();
                for (int k = rng.nextInt(4); k >= 0; k--) {
                    int pos = rng.nextBoolean() ? rng.nextInt(Math.min(16, b.length)) : rng.nextInt(b.length);
                    b[pos] = (byte) rng.nextInt(256);
                }
                return b;
            }
            case 2: // truncate
                return Arrays.copyOf(original, rng.nextInt(original.length));
            case 3: { // extend
                return Arrays.copyOf(original, original.length + 1 + rng.nextInt(32));
            }
            default:
                return original.clone();
        }
    }
}
