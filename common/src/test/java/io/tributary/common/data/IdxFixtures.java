package io.tributary.common.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Generates small MNIST-format IDX files for tests. */
public final class IdxFixtures {
    private IdxFixtures() {
    }

    public static byte[] images(int count, int rows, int cols, Random rng) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * rows * cols);
        b.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols);
        byte[] px = new byte[count * rows * cols];
        rng.nextBytes(px);
        b.put(px);
        return b.array();
    }

    public static byte[] labels(int count, int numClasses, Random rng) {
        ByteBuffer b = ByteBuffer.allocate(8 + count);
        b.putInt(IdxReader.LABELS_MAGIC).putInt(count);
        for (int i = 0; i < count; i++) b.put((byte) rng.nextInt(numClasses));
        return b.array();
    }

    public static byte[] header(int... ints) {
        ByteBuffer b = ByteBuffer.allocate(4 * ints.length);
        for (int i : ints) b.putInt(i);
        return b.array();
    }

    public static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(raw);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bos.toByteArray();
    }

    /**
     * Writes a decompression bomb over a small learnable directory: gzipped training files whose headers
     * claim {@code count} all-zero images of {@code side x side} (and as many labels), with every byte
     * the headers promise really there. The image file is a chain of gzip members, each one MiB of
     * zeros compressed once, so a claim of gigabytes is a file of a few MB written in milliseconds.
     * Returns the directory.
     */
    public static Path writeBomb(Path dir, int count, int side) throws IOException {
        writeLearnable(dir, 20, 20, side, 1, true);
        long body = (long) count * side * side;
        int chunk = 1 << 20;
        byte[] zeros = gzip(new byte[chunk]);
        try (OutputStream out = Files.newOutputStream(dir.resolve("train-images-idx3-ubyte.gz"))) {
            out.write(gzip(header(IdxReader.IMAGES_MAGIC, count, side, side)));
            for (long left = body; left > 0; left -= chunk) {
                out.write(left >= chunk ? zeros : gzip(new byte[(int) left]));
            }
        }
        ByteBuffer labels = ByteBuffer.allocate(8 + count).putInt(IdxReader.LABELS_MAGIC).putInt(count);
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(labels.array()));
        return dir;
    }

    /**
     * Writes a learnable 10-class dataset: class k has a bright horizontal band at a position that
     * depends on k, plus noise. Returns the directory.
     */
    public static Path writeLearnable(Path dir, int trainCount, int testCount, int side, long seed, boolean gzip)
            throws IOException {
        Files.createDirectories(dir);
        Random rng = new Random(seed);
        writeSplit(dir, "train", trainCount, side, rng, gzip);
        writeSplit(dir, "t10k", testCount, side, rng, gzip);
        return dir;
    }

    private static void writeSplit(Path dir, String prefix, int count, int side, Random rng, boolean gzip)
            throws IOException {
        ByteBuffer img = ByteBuffer.allocate(16 + count * side * side);
        img.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(side).putInt(side);
        ByteBuffer lab = ByteBuffer.allocate(8 + count);
        lab.putInt(IdxReader.LABELS_MAGIC).putInt(count);
        int band = Math.max(1, side / 10);
        for (int n = 0; n < count; n++) {
            int label = rng.nextInt(10);
            lab.put((byte) label);
            for (int r = 0; r < side; r++) {
                boolean lit = r / band == label;
                for (int c = 0; c < side; c++) {
                    int v = lit ? 200 + rng.nextInt(56) : rng.nextInt(60);
                    img.put((byte) v);
                }
            }
        }
        String suffix = gzip ? ".gz" : "";
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte" + suffix), gzip ? gzip(img.array()) : img.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix), gzip ? gzip(lab.array()) : lab.array());
    }
}
