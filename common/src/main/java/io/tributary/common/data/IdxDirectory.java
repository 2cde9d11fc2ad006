package io.tributary.common.data;

import io.tributary.common.InputException;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A directory of MNIST-format IDX files ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each optionally {@code .gz}) on any
 * Hadoop filesystem. Works for MNIST digits and Fashion-MNIST alike.
 */
public final class IdxDirectory {
    /** The training or the test split. */
    public enum Split {
        TRAIN("train", TrainKeys.TRAIN_EXAMPLES.name()), TEST("t10k", TrainKeys.TEST_EXAMPLES.name());

        private final String prefix;
        /** The key that limits how many of the split's examples are read. */
        private final String limitKey;

        Split(String prefix, String limitKey) {
            this.prefix = prefix;
            this.limitKey = limitKey;
        }
    }

    private final HadoopFs.Location dir;
    private final Supplier<HeapBudget> budget;
    /** SHA-256 of each file read, by path, taken in the read that parsed it. */
    private final Map<String, String> digests = new ConcurrentHashMap<>();

    public IdxDirectory(HadoopFs.Location dir) {
        this(dir, HeapBudget::ofThisJvm);
    }

    IdxDirectory(HadoopFs.Location dir, Supplier<HeapBudget> budget) {
        this.dir = dir;
        this.budget = budget;
    }

    public HadoopFs.Location location() {
        return dir;
    }

    /**
     * The files of one split and what their headers say, both checked (magic numbers, dimensions,
     * lengths of uncompressed files, matching counts); no example is read.
     */
    public record Header(Path images, Path labels, boolean imagesGzipped, boolean labelsGzipped, int count, int rows,
                         int cols) {
    }

    /** Reads and checks the headers of one split's files; see {@link Header}. */
    public Header header(Split split) {
        Path images = find(split.prefix + "-images-idx3-ubyte");
        Path labels = find(split.prefix + "-labels-idx1-ubyte");
        FileSystem fs = dir.fs();
        try (IdxReader.Opened img = IdxReader.openImages(images.toString(), fs.open(images), gzip(images), length(images));
             IdxReader.Opened lab = IdxReader.openLabels(labels.toString(), fs.open(labels), gzip(labels), length(labels))) {
            if (img.count() != lab.count()) {
                throw new InvalidDataException(images.toString(), "holds " + img.count() + " images but "
                        + labels + " holds " + lab.count() + " labels; the counts must agree");
            }
            return new Header(images, labels, gzip(images), gzip(labels), img.count(), img.rows(), img.cols());
        } catch (IOException e) {
            throw new InputException("Cannot read " + dir + ": " + HadoopFs.describe(e));
        }
    }

    /** Reads and checks all of one split; see {@link #read(Split, int)}. */
    public IdxData read(Split split) {
        return read(split, 0);
    }

    /**
     * Reads and checks the first {@code limit} examples of one split (all when {@code limit} is 0): magic
     * numbers, sizes and matching counts, whole into this process's heap (its classes: the largest label
     * plus one) (the single-process
     * baseline of {@code tributary bench}; training reads on the executors). The headers' claim is weighed
     * against the free heap ({@link HeapBudget}) before any of the body is held, and only the examples asked for are
     * kept; the rest of each file is read through, to check its length and to hash it, in a small buffer.
     * Each file's SHA-256 is taken from these same bytes, for {@link #fingerprint()}.
     */
    public IdxData read(Split split, int limit) {
        Path images = find(split.prefix + "-images-idx3-ubyte");
        Path labels = find(split.prefix + "-labels-idx1-ubyte");
        FileSystem fs = dir.fs();
        int n;
        int rows;
        int cols;
        byte[] pixels;
        byte[] values;
        try (InputStream rawImages = fs.open(images); InputStream rawLabels = fs.open(labels)) {
            Hashing hashedImages = new Hashing(rawImages);
            Hashing hashedLabels = new Hashing(rawLabels);
            try (IdxReader.Opened img = IdxReader.openImages(images.toString(), hashedImages, gzip(images), length(images));
                 IdxReader.Opened lab = IdxReader.openLabels(labels.toString(), hashedLabels, gzip(labels), length(labels))) {
                if (img.count() != lab.count()) {
                    throw new InvalidDataException(images.toString(), "holds " + img.count() + " images but "
                            + labels + " holds " + lab.count() + " labels; the counts must agree");
                }
                n = limit > 0 ? Math.min(limit, img.count()) : img.count();
                requireFits(split, images, labels, n, img.count(), n * (img.bytesPerExample() + lab.bytesPerExample()));
                rows = img.rows();
                cols = img.cols();
                pixels = img.readExamples(n);
                values = lab.readExamples(n);
            }
            digests.put(images.toString(), hashedImages.restHex());
            digests.put(labels.toString(), hashedLabels.restHex());
        } catch (IOException e) {
            throw new InputException("Cannot read " + dir + ": " + HadoopFs.describe(e));
        }
        int largest = -1;
        for (byte value : values) {
            largest = Math.max(largest, value & 0xff);
        }
        return new IdxData(n, rows, cols, largest + 1, pixels, values);
    }

    private void requireFits(Split split, Path images, Path labels, int n, int count, long bytes) {
        HeapBudget heap = budget.get();
        if (bytes <= heap.bytes()) {
            return;
        }
        String what = n == count ? "the " + split.name().toLowerCase(Locale.ROOT) + " split's headers claim " + n + " examples"
                : "the first " + n + " of the " + split.name().toLowerCase(Locale.ROOT) + " split's " + count + " examples";
        throw new InputException("Data directory " + dir + ": " + what + " (" + bytes + " bytes in " + images.getName()
                + " and " + labels.getName() + "), more than the driver may hold in memory, a quarter of its "
                + HeapBudget.mib(heap.freeHeap()) + " of free heap; read fewer with --" + split.limitKey
                + " N, or give the driver more heap (TRIBUTARY_DRIVER_MEMORY)");
    }

    /**
     * A SHA-256 fingerprint of the four input files' bytes (as stored), with each file's name and size,
     * so a model can be traced to the exact data it was trained on. A file that {@link #read} has parsed
     * is fingerprinted by the bytes that read parsed, not read again, so the fingerprint is of the data
     * trained on even if the file changes meanwhile; a file not read yet is read here for its hash alone.
     */
    public Map<String, Object> fingerprint() {
        Map<String, Object> files = new LinkedHashMap<>();
        MessageDigest all = sha256();
        for (Split split : Split.values()) {
            for (String kind : new String[] {"-images-idx3-ubyte", "-labels-idx1-ubyte"}) {
                Path p = find(split.prefix + kind);
                String hex = digests.get(p.toString());
                if (hex == null) {
                    try (InputStream in = dir.fs().open(p)) {
                        hex = new Hashing(in).restHex();
                    } catch (IOException e) {
                        throw new InputException("Cannot read " + p + ": " + HadoopFs.describe(e));
                    }
                }
                files.put(p.getName(), hex);
                all.update(p.getName().getBytes(StandardCharsets.UTF_8));
                all.update(hex.getBytes(StandardCharsets.UTF_8));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("location", dir.toString());
        out.put("sha256", HexFormat.of().formatHex(all.digest()));
        out.put("files", files);
        return out;
    }

    /**
     * Hashes every byte read through it. Closing it leaves the file open (the reader's streams close
     * it when they are done), so that {@link #restHex} can hash what the reader did not need: bytes
     * after a gzip file's last member, say.
     */
    private static final class Hashing extends DigestInputStream {
        Hashing(InputStream in) {
            super(in, sha256());
        }

        @Override
        public void close() {
            // the file is closed by whoever opened it
        }

        /** Reads the rest of the file through the digest and returns the whole file's SHA-256. */
        String restHex() throws IOException {
            byte[] buf = new byte[1 << 16];
            while (read(buf, 0, buf.length) >= 0) {
                // hashed as it is read
            }
            return HexFormat.of().formatHex(getMessageDigest().digest());
        }
    }

    private Path find(String base) {
        FileSystem fs = dir.fs();
        try {
            FileStatus status = fs.getFileStatus(dir.path());
            if (!status.isDirectory()) {
                throw new InputException("Data location " + dir + " is not a directory; it must hold the MNIST-format IDX files");
            }
            for (String name : new String[] {base, base + ".gz"}) {
                Path p = new Path(dir.path(), name);
                if (fs.exists(p)) {
                    return p;
                }
            }
        } catch (FileNotFoundException e) {
            throw new InputException("Data directory " + dir + " does not exist");
        } catch (IOException e) {
            throw new InputException("Cannot read data directory " + dir + ": " + HadoopFs.describe(e));
        }
        throw new InputException("Data directory " + dir + " has no " + base + " or " + base
                + ".gz; it must hold the four MNIST-format IDX files (train-images-idx3-ubyte, "
                + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally .gz)");
    }

    private static boolean gzip(Path p) {
        return p.getName().endsWith(".gz");
    }

    private long length(Path p) throws IOException {
        return dir.fs().getFileStatus(p).getLen();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
