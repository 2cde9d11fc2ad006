package io.tributary.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Small MNIST-format datasets generated for tests: learnable, seeded, written as real IDX files. */
final class TestData {
    static final int IMAGES_MAGIC = 2051;
    static final int LABELS_MAGIC = 2049;

    private TestData() {
    }

    /** Class k has a bright horizontal band at rows [k*side/10, (k+1)*side/10), plus noise. */
    static Path learnable(Path dir, int trainCount, int testCount, int side, long seed) throws IOException {
        Files.createDirectories(dir);
        Random rng = new Random(seed);
        split(dir, "train", trainCount, side, rng);
        split(dir, "t10k", testCount, side, rng);
        return dir;
    }

    private static void split(Path dir, String prefix, int count, int side, Random rng) throws IOException {
        ByteBuffer img = ByteBuffer.allocate(16 + count * side * side);
        img.putInt(IMAGES_MAGIC).putInt(count).putInt(side).putInt(side);
        ByteBuffer lab = ByteBuffer.allocate(8 + count);
        lab.putInt(LABELS_MAGIC).putInt(count);
        int band = Math.max(1, side / 10);
        for (int n = 0; n < count; n++) {
            int label = rng.nextInt(10);
            lab.put((byte) label);
            for (int r = 0; r < side; r++) {
                boolean lit = r / band == label;
                for (int c = 0; c < side; c++) {
                    img.put((byte) (lit ? 180 + rng.nextInt(76) : rng.nextInt(90)));
                }
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), gzip(img.array()));
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), lab.array());
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(raw);
        }
        return bos.toByteArray();
    }
}
