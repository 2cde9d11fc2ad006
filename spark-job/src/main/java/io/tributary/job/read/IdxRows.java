package io.tributary.job.read;

import io.tributary.common.config.InputShape;
import io.tributary.common.data.IdxReader;
import io.tributary.common.data.InvalidDataException;
import io.tributary.common.data.MnistDirectory;
import io.tributary.common.io.HadoopFs;
import io.tributary.job.spark.SparkConfs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One split of an MNIST-format IDX directory as {@link ExampleRows}: the driver reads the files'
 * headers only; tasks read the examples, a chunk at a time: each its own range of uncompressed
 * files, or one task a gzipped split from start to end.
 */
public final class IdxRows {
    /** Examples a task reads at most; more examples make more tasks. */
    static final int EXAMPLES_PER_TASK = 10_000;
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
     * partitions as the examples need ({@value #EXAMPLES_PER_TASK} a task, at least one per core).
     */
    public static ExampleRows read(SparkSession spark, MnistDirectory dir, MnistDirectory.Split split, int limit) {
        return read(spark, dir, split, limit, false);
    }

    /**
     * {@link #read(SparkSession, MnistDirectory, MnistDirectory.Split, int)}, with {@code withIndex} a
     * third column, {@value ScoringRows#INDEX} ({@code long}): each example's position in the split,
     * known to the task that reads it, so scoring needs no pass to number the rows.
     */
    public static ExampleRows read(SparkSession spark, MnistDirectory dir, MnistDirectory.Split split, int limit,
                                   boolean withIndex) {
        MnistDirectory.Header h = dir.header(split);
        int n = limit > 0 ? Math.min(limit, h.count()) : h.count();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // A gzipped file cannot be entered in the middle: one task reads it through (the batches are
        // spread over the executors afterwards); an uncompressed one is read in ranges, each task seeking
        // to its own.
        int tasks = h.imagesGzipped() || h.labelsGzipped() ? 1 : Math.max(1, Math.min(n, Math.max(
                sc.defaultParallelism(), (n + EXAMPLES_PER_TASK - 1) / EXAMPLES_PER_TASK)));
        List<int[]> ranges = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            ranges.add(new int[] {(int) ((long) n * t / tasks), (int) ((long) n * (t + 1) / tasks)});
        }
        JavaRDD<Row> rows = sc.parallelize(ranges, tasks).mapPartitions(new ReadRange(h.images().toString(),
                h.labels().toString(), h.imagesGzipped(), h.labelsGzipped(), withIndex));
        StructType schema = withIndex ? schema(true).add(ScoringRows.INDEX, DataTypes.LongType, false) : schema(true);
        return new ExampleRows(spark.createDataFrame(rows, schema), new InputShape(1, h.rows(), h.cols()),
                MnistDirectory.NUM_CLASSES, null, true, dir.location().toString());
    }

    /** Reads a task's range of examples, {@code {start, end}}. */
    private static final class ReadRange implements FlatMapFunction<Iterator<int[]>, Row> {
        private final String images;
        private final String labels;
        private final boolean imagesGzipped;
        private final boolean labelsGzipped;
        private final boolean withIndex;

        ReadRange(String images, String labels, boolean imagesGzipped, boolean labelsGzipped, boolean withIndex) {
            this.images = images;
            this.labels = labels;
            this.imagesGzipped = imagesGzipped;
            this.labelsGzipped = labelsGzipped;
            this.withIndex = withIndex;
        }

        @Override
        public Iterator<Row> call(Iterator<int[]> rangeOfTask) throws IOException {
            if (!rangeOfTask.hasNext()) {
                return List.<Row>of().iterator();
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
                img.close();
                throw e;
            }
            img.skipExamples(start);
            lab.skipExamples(start);
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
                public Row next() {
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
                        if (label >= MnistDirectory.NUM_CLASSES) {
                            throw new InvalidDataException(labels, "label " + label + " at index " + next
                                    + " is out of range: labels must be between 0 and " + (MnistDirectory.NUM_CLASSES - 1));
                        }
                        inChunk++;
                        long index = next++;
                        return withIndex ? RowFactory.create(one, label, index) : RowFactory.create(one, label);
                    } catch (IOException e) {
                        close();
                        throw new UncheckedIOException("Cannot read " + images + ": " + HadoopFs.describe(e), e);
                    }
                }

                private void close() {
                    try {
                        img.close();
                        lab.close();
                    } catch (IOException ignored) {
                        // Reading is done; nothing was lost.
                    }
                }
            };
        }
    }
}
