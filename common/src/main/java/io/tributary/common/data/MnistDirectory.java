package io.tributary.common.data;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A directory of MNIST-format IDX files ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each optionally {@code .gz}) on any
 * Hadoop filesystem. Works for MNIST digits and Fashion-MNIST alike.
 */
public final class MnistDirectory {
    public static final int NUM_CLASSES = 10;

    /** The training or the test split. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    private final HadoopFs.Location dir;

    public MnistDirectory(HadoopFs.Location dir) {
        this.dir = dir;
    }

    public HadoopFs.Location location() {
        return dir;
    }

    /** Reads and checks one split: magic numbers, sizes, matching counts and label range. */
    public MnistData read(Split split) {
        Path images = find(split.prefix + "-images-idx3-ubyte");
        Path labels = find(split.prefix + "-labels-idx1-ubyte");
        IdxReader.Images img;
        IdxReader.Labels lab;
        try {
            img = readImages(images);
            lab = readLabels(labels);
        } catch (IOException e) {
            throw new InputException("Cannot read " + dir + ": " + HadoopFs.describe(e));
        }
        if (img.count() != lab.count()) {
            throw new InvalidDataException(images.toString(), "holds " + img.count() + " images but "
                    + labels + " holds " + lab.count() + " labels; the counts must agree");
        }
        byte[] values = lab.values();
        for (int i = 0; i < values.length; i++) {
            int label = values[i] & 0xff;
            if (label >= NUM_CLASSES) {
                throw new InvalidDataException(labels.toString(), "label " + label + " at index " + i
                        + " is out of range: labels must be between 0 and " + (NUM_CLASSES - 1));
            }
        }
        return new MnistData(img.count(), img.rows(), img.cols(), NUM_CLASSES, img.pixels(), values);
    }

    /**
     * A SHA-256 fingerprint of the four input files' bytes (as stored), with each file's name and size,
     * so a model can be traced to the exact data it was trained on.
     */
    public Map<String, Object> fingerprint() {
        Map<String, Object> files = new LinkedHashMap<>();
        MessageDigest all = sha256();
        for (Split split : Split.values()) {
            for (String kind : new String[] {"-images-idx3-ubyte", "-labels-idx1-ubyte"}) {
                Path p = find(split.prefix + kind);
                MessageDigest one = sha256();
                try (InputStream in = dir.fs().open(p)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        one.update(buf, 0, n);
                    }
                } catch (IOException e) {
                    throw new InputException("Cannot read " + p + ": " + HadoopFs.describe(e));
                }
                String hex = HexFormat.of().formatHex(one.digest());
                files.put(p.getName(), hex);
                all.update(p.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                all.update(hex.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("location", dir.toString());
        out.put("sha256", HexFormat.of().formatHex(all.digest()));
        out.put("files", files);
        return out;
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

    private IdxReader.Images readImages(Path p) throws IOException {
        long len = dir.fs().getFileStatus(p).getLen();
        return IdxReader.readImages(p.toString(), dir.fs().open(p), p.getName().endsWith(".gz"), len);
    }

    private IdxReader.Labels readLabels(Path p) throws IOException {
        long len = dir.fs().getFileStatus(p).getLen();
        return IdxReader.readLabels(p.toString(), dir.fs().open(p), p.getName().endsWith(".gz"), len);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
