package io.tributary.common.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format): a big-endian header of magic number and dimensions, then
 * unsigned bytes. Only the unsigned-byte type is accepted: 2049 for label vectors (idx1) and 2051
 * for image tensors (idx3). Every rule of the header is checked when a file is opened, before memory
 * for the body is allocated, and a caller can weigh the header's claim before reading
 * ({@link #openImages}, {@link Opened#readExamples}). The body is read in chunks into a buffer that
 * grows with what is actually there, so a header that promises more than the file holds costs no more
 * than the file itself, and only the examples asked for are kept.
 */
public final class IdxReader {
    /** Magic number of an idx1 unsigned-byte file (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Magic number of an idx3 unsigned-byte file (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Largest body accepted: Java arrays are indexed by int. */
    static final long MAX_BODY_BYTES = Integer.MAX_VALUE - 16;
    /** Largest image side accepted. */
    static final int MAX_SIDE = 4096;
    /** First buffer size; it doubles as data arrives. */
    private static final int FIRST_CHUNK = 1 << 16;

    private IdxReader() {
    }

    /** An idx1 label file: one unsigned byte per example. */
    public record Labels(String source, byte[] values) {
        public int count() {
            return values.length;
        }
    }

    /** An idx3 image file: {@code count} images of {@code rows x cols} unsigned bytes, row-major. */
    public record Images(String source, int count, int rows, int cols, byte[] pixels) {
        public int pixelsPerImage() {
            return rows * cols;
        }
    }

    /**
     * Reads a label file.
     *
     * @param name   the file's name for messages (a path or URI)
     * @param in     the file's bytes; gzip-compressed when {@code gzip}
     * @param length the stored file length in bytes, or -1 if unknown
     */
    public static Labels readLabels(String name, InputStream in, boolean gzip, long length) throws IOException {
        try (Opened f = openLabels(name, in, gzip, length)) {
            return new Labels(name, f.readExamples(f.count()));
        }
    }

    /** Reads an image file; see {@link #readLabels} for the parameters. */
    public static Images readImages(String name, InputStream in, boolean gzip, long length) throws IOException {
        try (Opened f = openImages(name, in, gzip, length)) {
            return new Images(name, f.count(), f.rows(), f.cols(), f.readExamples(f.count()));
        }
    }

    /** Opens a label file and checks its header; the body is read by {@link Opened#readExamples}. */
    public static Opened openLabels(String name, InputStream in, boolean gzip, long length) throws IOException {
        InputStream body = open(name, in, gzip);
        try {
            int magic = header(name, body, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new InvalidDataException(name, "magic number is " + magic + ", expected "
                        + LABELS_MAGIC + " for an IDX label file (idx1, unsigned byte)" + hint(magic));
            }
            int count = unsigned(name, header(name, body, "label count"), "label count");
            checkBodySize(name, count, 8, gzip ? -1 : length, "labels");
            return new Opened(name, body, count, 1, 1, "labels");
        } catch (IOException | RuntimeException e) {
            body.close();
            throw e;
        }
    }

    /** Opens an image file and checks its header; see {@link #openLabels}. */
    public static Opened openImages(String name, InputStream in, boolean gzip, long length) throws IOException {
        InputStream body = open(name, in, gzip);
        try {
            int magic = header(name, body, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw new InvalidDataException(name, "magic number is " + magic + ", expected "
                        + IMAGES_MAGIC + " for an IDX image file (idx3, unsigned byte)" + hint(magic));
            }
            int count = unsigned(name, header(name, body, "image count"), "image count");
            int rows = header(name, body, "row count");
            int cols = header(name, body, "column count");
            if (rows < 1 || rows > MAX_SIDE || cols < 1 || cols > MAX_SIDE) {
                throw new InvalidDataException(name, "image size " + rows + "x" + cols
                        + " is invalid: rows and columns must be between 1 and " + MAX_SIDE);
            }
            checkBodySize(name, (long) count * rows * cols, 16, gzip ? -1 : length, "pixels");
            return new Opened(name, body, count, rows, cols, "pixels");
        } catch (IOException | RuntimeException e) {
            body.close();
            throw e;
        }
    }

    /**
     * An IDX file whose header has been read and checked (counts, image size, and the stored length when
     * known), positioned at its body. Nothing of the body is held until {@link #readExamples}, so a
     * caller can weigh the header's claim before any memory is spent on it.
     */
    public static final class Opened implements Closeable {
        private final String name;
        private final InputStream body;
        private final int count;
        private final int rows;
        private final int cols;
        private final String what;

        private Opened(String name, InputStream body, int count, int rows, int cols, String what) {
            this.name = name;
            this.body = body;
            this.count = count;
            this.rows = rows;
            this.cols = cols;
            this.what = what;
        }

        /** The number of examples the header claims. */
        public int count() {
            return count;
        }

        /** Image rows (1 for labels). */
        public int rows() {
            return rows;
        }

        /** Image columns (1 for labels). */
        public int cols() {
            return cols;
        }

        /** Bytes per example: {@code rows x cols} for images, 1 for labels. */
        public long bytesPerExample() {
            return (long) rows * cols;
        }

        /**
         * The first {@code n} examples' bytes ({@code n <= count()}). The buffer grows only with bytes that
         * arrive, so a header that claims more than the file holds costs no more than the file. The rest
         * of the body is then read through a small buffer and dropped: the file must still hold exactly
         * what its header declares, and a caller hashing the stream sees every byte.
         */
        public byte[] readExamples(int n) throws IOException {
            if (n < 0 || n > count) {
                throw new IllegalArgumentException("cannot read " + n + " of " + count + " examples from " + name);
            }
            long expected = count * bytesPerExample();
            int wanted = (int) (n * bytesPerExample());
            byte[] buf = new byte[Math.min(wanted, FIRST_CHUNK)];
            int filled = 0;
            while (filled < wanted) {
                if (filled == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(wanted, (long) buf.length * 2));
                }
                int got = readFully(name, body, buf, filled, buf.length - filled);
                filled += got;
                if (filled < buf.length) {
                    throw truncated(expected, filled);
                }
            }
            byte[] skip = new byte[(int) Math.min(FIRST_CHUNK, expected - wanted + 1)];
            for (long done = wanted; done < expected; ) {
                int got = readFully(name, body, skip, 0, (int) Math.min(skip.length, expected - done));
                if (got == 0) {
                    throw truncated(expected, done);
                }
                done += got;
            }
            if (readFully(name, body, new byte[1], 0, 1) > 0) {
                throw new InvalidDataException(name, "file has trailing bytes after the " + expected
                        + " bytes of " + what + " its header declares");
            }
            return buf;
        }

        /** Reads past the next {@code n} examples without keeping them (a small buffer), for a reader of a range. */
        public void skipExamples(long n) throws IOException {
            long bytes = n * bytesPerExample();
            long done = 0;
            // An uncompressed file's stream skips by seeking; a compressed one decompresses what it passes,
            // and finds a corrupt or truncated stream as reading it would.
            try {
                while (done < bytes) {
                    long skipped = body.skip(bytes - done);
                    if (skipped <= 0) break;
                    done += skipped;
                }
            } catch (ZipException | EOFException e) {
                throw corrupt(name, e);
            }
            byte[] skip = new byte[(int) Math.min(FIRST_CHUNK, Math.max(1, bytes - done))];
            while (done < bytes) {
                int got = readFully(name, body, skip, 0, (int) Math.min(skip.length, bytes - done));
                if (got == 0) {
                    throw truncated(count * bytesPerExample(), done);
                }
                done += got;
            }
        }

        /** The next {@code n} examples' bytes, exactly; a file that ends before them is reported as truncated. */
        public byte[] readNext(int n) throws IOException {
            byte[] buf = new byte[(int) (n * bytesPerExample())];
            int got = readFully(name, body, buf, 0, buf.length);
            if (got < buf.length) {
                throw truncated(count * bytesPerExample(), got);
            }
            return buf;
        }

        private InvalidDataException truncated(long expected, long filled) {
            return new InvalidDataException(name, "file is truncated: header declares " + expected
                    + " bytes of " + what + " but only " + filled + " follow");
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    private static InputStream open(String name, InputStream in, boolean gzip) throws IOException {
        if (!gzip) {
            return new BufferedInputStream(in, 1 << 16);
        }
        try {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        } catch (ZipException | EOFException e) {
            in.close();
            throw new InvalidDataException(name, "is not a valid gzip file (" + e.getMessage() + ")");
        }
    }

    private static String hint(int magic) {
        if (magic == LABELS_MAGIC) return "; this looks like a label file";
        if (magic == IMAGES_MAGIC) return "; this looks like an image file";
        return "";
    }

    private static int unsigned(String name, int value, String what) {
        if (value < 0) {
            throw new InvalidDataException(name, what + " " + Integer.toUnsignedString(value)
                    + " in the header is larger than any supported file");
        }
        return value;
    }

    private static int header(String name, InputStream in, String what) throws IOException {
        byte[] b = new byte[4];
        int n = readFully(name, in, b, 0, 4);
        if (n < 4) {
            throw new InvalidDataException(name, "file ends inside the header (reading the " + what + ")");
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private static void checkBodySize(String name, long expected, int headerBytes, long fileLength, String what) {
        if (expected > MAX_BODY_BYTES) {
            throw new InvalidDataException(name, "header declares " + expected + " bytes of " + what
                    + ", more than the " + MAX_BODY_BYTES + " supported");
        }
        if (fileLength >= 0 && fileLength - headerBytes != expected) {
            throw new InvalidDataException(name, "file is " + fileLength + " bytes but its header declares "
                    + (headerBytes + expected) + " (" + headerBytes + " header + " + expected + " bytes of "
                    + what + ")" + (fileLength - headerBytes < expected ? "; the file is truncated" : "; the file has trailing bytes"));
        }
    }

    private static int readFully(String name, InputStream in, byte[] b, int off, int len) throws IOException {
        int total = 0;
        try {
            while (total < len) {
                int n = in.read(b, off + total, len - total);
                if (n < 0) break;
                total += n;
            }
        } catch (ZipException | EOFException e) {
            throw corrupt(name, e);
        }
        return total;
    }

    private static InvalidDataException corrupt(String name, IOException e) {
        return new InvalidDataException(name, "compressed data is corrupt or truncated (" + e.getMessage() + ")");
    }
}
