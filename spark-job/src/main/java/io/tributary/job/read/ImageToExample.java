package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.Locale;

/**
 * On an executor: one listed image file (its {@code path} and {@code length} from Spark's
 * {@code binaryFile} source) to one example row, {@code features} (the pixels, channel-major bytes
 * of the input shape) and {@code label} (the index of its class folder). The file is read here
 * rather than through {@code binaryFile}'s {@code content} column so that a file that cannot be read
 * is a bad record, named and failed or skipped, like one that cannot be decoded. Only one image is
 * decoded at a time; its bytes and pixels are garbage once the row is made.
 */
final class ImageToExample implements FlatMapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(ImageToExample.class);

    private final String rootPath;
    private final String[] classNames;
    private final InputShape shape;
    private final boolean skip;
    private final LongAccumulator skipped;
    private final SerializableConfiguration hadoopConf;
    /** The most bytes an image may take decoded, and the largest image file read (its bytes are held whole). */
    private final long maxImageBytes;

    /**
     * @param rootPath   the path part of the image folder's URI, which every listed file's path starts with
     * @param classNames the class folders' names, sorted
     */
    ImageToExample(String rootPath, String[] classNames, InputShape shape, boolean skip, LongAccumulator skipped,
                   SerializableConfiguration hadoopConf, long maxImageBytes) {
        this.rootPath = rootPath.endsWith("/") ? rootPath : rootPath + "/";
        this.classNames = classNames.clone();
        this.shape = shape;
        this.skip = skip;
        this.skipped = skipped;
        this.hadoopConf = hadoopConf;
        this.maxImageBytes = maxImageBytes;
    }

    @Override
    public Iterator<Row> call(Row file) {
        String path = file.getString(0);
        String classFolder = classFolder(path);
        // Images directly under the root belong to no class; the driver's listing reported them.
        if (classFolder == null) return Collections.emptyIterator();
        try {
            int label = Arrays.binarySearch(classNames, classFolder);
            if (label < 0) {
                throw new BadImageException("is in " + classFolder + ", which was not a class folder when the data "
                        + "was listed (classes: " + String.join(", ", classNames) + ")");
            }
            return Collections.singletonList(RowFactory.create(pixels(path, file.getLong(1)), label)).iterator();
        } catch (BadImageException e) {
            if (!skip) {
                throw new InputException("Image " + path + " " + e.getMessage() + "; every " + ImageFiles.NAMES
                        + " file in a class folder must be a readable image (--on-bad-record skip leaves such files out)");
            }
            log.warn("Skipping image {}: it {}", path, e.getMessage());
            skipped.add(1);
            return Collections.emptyIterator();
        }
    }

    private byte[] pixels(String path, long length) throws BadImageException {
        if (length > maxImageBytes) {
            throw tooLong(String.format(Locale.ROOT, "%,d", length));
        }
        byte[] bytes = read(path);
        return ImageDecoder.decode(bytes, maxImageBytes, decoded -> Resampler.resize(
                new ImagePixels(decoded, shape.channels()), shape.channels(), shape.height(), shape.width()));
    }

    private BadImageException tooLong(String length) {
        return new BadImageException("is " + length + " bytes, more than " + TrainKeys.MAX_IMAGE_BYTES.name() + " "
                + maxImageBytes + " (an image file is held whole while it is decoded)");
    }

    private byte[] read(String path) throws BadImageException {
        Path p = new Path(path);
        try (FSDataInputStream in = p.getFileSystem(hadoopConf.value()).open(p)) {
            byte[] bytes = in.readNBytes((int) Math.min(maxImageBytes + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > maxImageBytes) {
                throw tooLong("more than " + String.format(Locale.ROOT, "%,d", maxImageBytes));
            }
            return bytes;
        } catch (IOException e) {
            throw new BadImageException("cannot be read (" + HadoopFs.describe(e) + ")");
        }
    }

    /** The first folder of the path below the root, or {@code null} for a file directly under it. */
    private String classFolder(String path) {
        String p = new Path(path).toUri().getPath();
        if (!p.startsWith(rootPath)) {
            // Spark lists files below the path it was given; anything else is a bug, not bad data.
            throw new IllegalStateException("listed file " + path + " is not under " + rootPath);
        }
        int slash = p.indexOf('/', rootPath.length());
        return slash < 0 ? null : p.substring(rootPath.length(), slash);
    }
}
