package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.config.InputShape;
import io.tributary.common.config.TrainKeys;
import io.tributary.common.data.IdxDirectory;
import io.tributary.common.data.IdxReader;
import io.tributary.common.data.InvalidDataException;
import io.tributary.common.io.HadoopFs;
import io.tributary.job.spark.SparkConfs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * One split of an IDX directory as {@link ExampleRows}: the driver reads the files'
 * headers only; tasks read the examples, a chunk at a time, each its own range: of an uncompressed
 * file by seeking to it, of a gzipped one by decompressing the stream from its start to the range's end.
 */
public final class IdxRows {
    /** Examples a task of an uncompressed split reads at most; more examples make more tasks. */
    static final int EXAMPLES_PER_TASK = 10_000;
    /** Every label an unsigned byte holds: to read labels as they are, whatever the classes. */
    public static final Classes ANY_LABEL = new Classes(256, null);
    /**
     * Tasks a gzipped split is read by at most. Each decompresses the stream from its start, so more
     * tasks decompress more bytes in all (about half the file each) while each decodes fewer examples:
     * decoding, not decompressing, is most of a task's time.
     */
    static final int GZIP_READERS = 8;
    /** Examples decoded at once within a task. */
    private static final int CHUNK = 1_000;

    private IdxRows() {
    }

    /** The schema of every format's rows: features as bytes or floats, an int label. */
    static StructType schema(boolean byteFeatures) {
        return new StructType()
                .add(ExampleRows.FEATURES, byteFeatures ? DataTypes.BinaryType
                        : DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add(ExampleRows.LABEL, DataTypes.IntegerType, false);
    }

    /**
     * The first {@code limit} examples (all when 0) of {@code split}, in file order, in as many
     * partitions as the examples need ({@value #EXAMPLES_PER_TASK} a task, at least one per core; a
     * gzipped split at most one per core), with labels in {@code 0..classes.count()-1}.
     */
    public static ExampleRows read(SparkSession spark, IdxDirectory dir, IdxDirectory.Split split, int limit,
                                   Classes classes) {
        return read(spark, dir, split, limit, classes, false);
    }

    /**
     * {@link #read(SparkSession, IdxDirectory, IdxDirectory.Split, int, Classes)}, with {@code withIndex} a
     * third column, {@value ScoringRows#INDEX} ({@code long}): each example's position in the split,
     * known to the task that reads it, so scoring needs no pass to number the rows.
     */
    public static ExampleRows read(SparkSession spark, IdxDirectory dir, IdxDirectory.Split split, int limit,
                                   Classes classes, boolean withIndex) {
        IdxDirectory.Header h = dir.header(split);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<int[]> ranges = ranges(sc, h, limit);
        JavaRDD<InternalRow> rows = sc.parallelize(ranges, ranges.size()).mapPartitions(new ReadRange(
                h.images().toString(), h.labels().toString(), h.imagesGzipped(), h.labelsGzipped(), classes.count(),
                withIndex));
        StructType schema = withIndex ? schema(true).add(ScoringRows.INDEX, DataTypes.LongType, false) : schema(true);
        // The tasks make rows in Spark SQL's own form (bytes, an int, a long need no conversion), which
        // skips createDataFrame's row encoder: code generated in every executor's first task, whose method
        // names go through Scala's runtime reflection, 1 to 2 s of one core to start in a fresh JVM.
        // internalCreateDataFrame is private to Spark SQL's package in Scala, public in its bytecode: a Spark
        // without it fails this build, not a run.
        return new ExampleRows(spark.internalCreateDataFrame(rows.rdd(), schema, false),
                new InputShape(1, h.rows(), h.cols()),
                classes.count(), classes.names(), true, dir.location().toString());
    }

    /**
     * The classes of a split: its largest label plus one, found by tasks that read the labels file
     * alone (one number comes back from each), held to {@code maxClasses}.
     */
    public static Classes classes(SparkSession spark, IdxDirectory dir, IdxDirectory.Split split, int maxClasses) {
        IdxDirectory.Header h = dir.header(split);
        int[] largest = largestLabel(spark, h, 0);
        if (largest[0] < 0) {
            throw new InputException(h.labels() + " holds no labels; training needs at least one example");
        }
        if (largest[0] >= maxClasses) {
            throw new InvalidDataException(h.labels().toString(), String.format(Locale.ROOT, "label %d at index %d"
                    + " makes %d classes, more than %s %d; labels must be class indices 0..K-1 (raise %s if the"
                    + " data really has that many classes)", largest[0], largest[1], largest[0] + 1,
                    TrainKeys.MAX_CLASSES.name(), maxClasses, TrainKeys.MAX_CLASSES.name()));
        }
        return new Classes(largest[0] + 1, null);
    }

    /**
     * Refuses held-out examples (the first {@code limit} of {@code split}; 0: all) with a label the
     * training data's {@code classes} do not have, naming the file, the label and its index.
     */
    public static void requireKnownLabels(SparkSession spark, IdxDirectory dir, IdxDirectory.Split split,
                                          int limit, Classes classes) {
        IdxDirectory.Header h = dir.header(split);
        int[] largest = largestLabel(spark, h, limit);
        if (largest[0] >= classes.count()) {
            throw new InvalidDataException(h.labels().toString(), "label " + largest[0] + " at index " + largest[1]
                    + " is a class the model has never seen: " + classes.rule());
        }
    }

    /** {@code {label, index}}: the largest of the first {@code limit} labels and where it first is; -1 for none. */
    private static int[] largestLabel(SparkSession spark, IdxDirectory.Header h, int limit) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<int[]> ranges = ranges(sc, h, limit);
        List<int[]> found = sc.parallelize(ranges, ranges.size())
                .mapPartitions(new LargestLabel(h.labels().toString(), h.labelsGzipped())).collect();
        int[] largest = {-1, -1};
        for (int[] f : found) {
            if (f[0] > largest[0]) largest = f;
        }
        return largest;
    }

    /**
     * The tasks' ranges of the first {@code limit} examples (all when 0): of an uncompressed split,
     * {@value #EXAMPLES_PER_TASK} examples a task at most, and at least one task per core. An uncompressed file is entered at a range by seeking.
     * A gzipped one cannot be entered in the middle, so each task decompresses it from the start up to its
     * range's end: a gzipped split takes one task per core, at most {@value #GZIP_READERS}, and no more
     * than its examples need.
     */
    private static List<int[]> ranges(JavaSparkContext sc, IdxDirectory.Header h, int limit) {
        int n = limit > 0 ? Math.min(limit, h.count()) : h.count();
        int byExamples = (n + EXAMPLES_PER_TASK - 1) / EXAMPLES_PER_TASK;
        int tasks = h.imagesGzipped() || h.labelsGzipped()
                ? Math.min(Math.min(sc.defaultParallelism(), GZIP_READERS), byExamples)
                : Math.min(n, Math.max(sc.defaultParallelism(), byExamples));
        tasks = Math.max(1, tasks);
        List<int[]> ranges = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            ranges.add(new int[] {(int) ((long) n * t / tasks), (int) ((long) n * (t + 1) / tasks)});
        }
        return ranges;
    }

    /** Reads a task's range of labels, {@code {start, end}}, and gives the largest and its first index. */
    private static final class LargestLabel implements FlatMapFunction<Iterator<int[]>, int[]> {
        private final String labels;
        private final boolean gzipped;

        LargestLabel(String labels, boolean gzipped) {
            this.labels = labels;
            this.gzipped = gzipped;
        }

        @Override
        public Iterator<int[]> call(Iterator<int[]> rangeOfTask) throws IOException {
            if (!rangeOfTask.hasNext()) {
                return List.<int[]>of().iterator();
            }
            int[] range = rangeOfTask.next();
            Path path = new Path(labels);
            FileSystem fs = path.getFileSystem(SparkConfs.hadoopConf(SparkEnv.get().conf()));
            int[] largest = {-1, -1};
            try (IdxReader.Opened lab = IdxReader.openLabels(labels, fs.open(path), gzipped,
                    fs.getFileStatus(path).getLen())) {
                lab.skipExamples(range[0]);
                for (int at = range[0]; at < range[1]; ) {
                    byte[] values = lab.readNext(Math.min(CHUNK * 64, range[1] - at));
                    for (byte v : values) {
                        if ((v & 0xff) > largest[0]) largest = new int[] {v & 0xff, at};
                        at++;
                    }
                }
            }
            return List.of(largest).iterator();
        }
    }

    /** Reads a task's range of examples, {@code {start, end}}. */
    private static final class ReadRange implements FlatMapFunction<Iterator<int[]>, InternalRow> {
        private final String images;
        private final String labels;
        private final boolean imagesGzipped;
        private final boolean labelsGzipped;
        private final int numClasses;
        private final boolean withIndex;

        ReadRange(String images, String labels, boolean imagesGzipped, boolean labelsGzipped, int numClasses,
                  boolean withIndex) {
            this.images = images;
            this.labels = labels;
            this.imagesGzipped = imagesGzipped;
            this.labelsGzipped = labelsGzipped;
            this.numClasses = numClasses;
            this.withIndex = withIndex;
        }

        @Override
        public Iterator<InternalRow> call(Iterator<int[]> rangeOfTask) throws IOException {
            if (!rangeOfTask.hasNext()) {
                return List.<InternalRow>of().iterator();
            }
            int[] range = rangeOfTask.next();
            int start = range[0];
            int end = range[1];
            Configuration conf = SparkConfs.hadoopConf(SparkEnv.get().conf());
            Path imagePath = new Path(images);
            Path labelPath = new Path(labels);
            FileSystem fs = imagePath.getFileSystem(conf);
            IdxReader.Opened img = IdxReader.openImages(images, fs.open(imagePath), imagesGzipped,
                    fs.getFileStatus(imagePath).getLen());
            IdxReader.Opened lab;
            try {
                lab = IdxReader.openLabels(labels, fs.open(labelPath), labelsGzipped,
                        fs.getFileStatus(labelPath).getLen());
            } catch (IOException | RuntimeException e) {
                closeAfter(img, e);
                throw e;
            }
            try {
                img.skipExamples(start);
                lab.skipExamples(start);
            } catch (IOException | RuntimeException e) {
                closeBoth(img, lab);
                throw e;
            }
            return new Iterator<>() {
                private int next = start;
                private int inChunk;
                private byte[] pixels;
                private byte[] values;

                @Override
                public boolean hasNext() {
                    if (next < end) {
                        return true;
                    }
                    close();
                    return false;
                }

                @Override
                public InternalRow next() {
                    try {
                        if (pixels == null || inChunk == values.length) {
                            int k = Math.min(CHUNK, end - next);
                            pixels = img.readNext(k);
                            values = lab.readNext(k);
                            inChunk = 0;
                        }
                        int px = (int) img.bytesPerExample();
                        byte[] one = new byte[px];
                        System.arraycopy(pixels, inChunk * px, one, 0, px);
                        int label = values[inChunk] & 0xff;
                        if (label >= numClasses) {
                            throw new InvalidDataException(labels, "label " + label + " at index " + next
                                    + " is out of range: labels must be between 0 and " + (numClasses - 1));
                        }
                        inChunk++;
                        long index = next++;
                        return new GenericInternalRow(withIndex ? new Object[] {one, label, index}
                                : new Object[] {one, label});
                    } catch (IOException e) {
                        close();
                        throw new UncheckedIOException("Cannot read " + images + ": " + HadoopFs.describe(e), e);
                    } catch (RuntimeException e) {
                        close();
                        throw e;
                    }
                }

                private void close() {
                    closeBoth(img, lab);
                }
            };
        }
    }

    /** Closes {@code f} after {@code failure}, which stays the error reported whatever closing says. */
    private static void closeAfter(IdxReader.Opened f, Exception failure) {
        try {
            f.close();
        } catch (IOException closing) {
            failure.addSuppressed(closing);
        }
    }

    /** Closes both files; a failure to close one is ignored (reading is done or has failed; nothing is lost). */
    private static void closeBoth(IdxReader.Opened a, IdxReader.Opened b) {
        for (IdxReader.Opened f : new IdxReader.Opened[] {a, b}) {
            try {
                f.close();
            } catch (IOException ignored) {
                // Reading is done or has failed; nothing was lost.
            }
        }
    }
}
