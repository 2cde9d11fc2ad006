package io.tributary.job.read;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * CSV files as rows of {@code (fields, file, line)}, one per non-blank line after each file's
 * header. Each file is read whole by one task, from its first byte, so that a row knows its line
 * number (Spark's CSV source splits files and numbers no lines); a dataset of many files is read in
 * parallel, a single file by one task. Compressed files (gzip, bzip2...) are read through Hadoop's
 * codecs. Every file must start with the same header. No line, the header included, is read past
 * {@code max-line-bytes} ({@link BoundedLines}).
 */
final class CsvLines {
    static final StructType SCHEMA = new StructType()
            .add("fields", DataTypes.createArrayType(DataTypes.StringType, false), true)
            .add("file", DataTypes.StringType, false)
            .add("line", DataTypes.LongType, false);

    /** The first file's header: the column names every file starts with. */
    record Header(String file, List<String> columns) implements Serializable {
    }

    private CsvLines() {
    }

    /** On the driver: the header of the first file, in path order, that has a line (at most {@code maxLineBytes}). */
    static Header header(String location, Configuration conf, int maxLineBytes) {
        HadoopFs.Location loc = HadoopFs.resolve("--data", location, conf);
        List<Path> files = new ArrayList<>();
        try {
            if (!loc.fs().exists(loc.path())) throw new InputException("--data " + location + " does not exist");
            for (FileStatus f : HadoopFs.dataFiles(loc)) {
                files.add(f.getPath());
            }
            files.sort(null);
            CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
            for (Path p : files) {
                String first = firstLine(loc.fs(), p, codecs.getCodec(p), maxLineBytes);
                if (first != null) return new Header(p.toString(), parseHeader(p.toString(), first));
            }
        } catch (IOException e) {
            throw new InputException("Cannot read --data " + location + ": " + HadoopFs.describe(e));
        }
        throw new InputException("--data " + location + (files.isEmpty() ? " holds no files" : " holds only empty files")
                + "; a CSV dataset needs a header row and at least one example");
    }

    private static String firstLine(FileSystem fs, Path p, CompressionCodec codec, int maxLineBytes)
            throws IOException {
        try (InputStream raw = fs.open(p);
             BoundedLines lines = new BoundedLines(codec == null ? raw : codec.createInputStream(raw), p.toString(),
                     maxLineBytes)) {
            return lines.next() ? lines.text() : null;
        }
    }

    static List<String> parseHeader(String file, String line) {
        List<String> columns = CsvLine.split(line.startsWith("\uFEFF") ? line.substring(1) : line);
        if (columns == null) throw new InputException(file + ": the header row has a quoted name that is not closed");
        return List.copyOf(columns);
    }

    /**
     * The lines of every file as rows, each at most {@code maxLineBytes}; the tasks check each file's
     * header against {@code header}.
     */
    static Dataset<Row> read(SparkSession spark, String location, Header header, Configuration hadoopConf,
                             int maxLineBytes) {
        Configuration conf = new Configuration(hadoopConf);
        conf.setBoolean(FileInputFormat.INPUT_DIR_RECURSIVE, true);
        conf.setInt(WholeCsvFiles.MAX_LINE_BYTES, maxLineBytes);
        String path = HadoopFs.resolve("--data", location, hadoopConf).path().toString();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaNewHadoopRDD<LongWritable, Text> files = (JavaNewHadoopRDD<LongWritable, Text>)
                jsc.newAPIHadoopFile(path, WholeCsvFiles.class, LongWritable.class, Text.class, conf);
        JavaRDD<Row> lines = files.mapPartitionsWithInputSplit(new FileLines(header), false);
        return spark.createDataFrame(lines, SCHEMA);
    }

    /** Runs on executors: one whole file's lines, numbered from 1 (the header). */
    static final class FileLines implements Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<Row>> {
        private final Header header;

        FileLines(Header header) {
            this.header = header;
        }

        @Override
        public Iterator<Row> call(InputSplit split, Iterator<Tuple2<LongWritable, Text>> records) {
            FileSplit fileSplit = (FileSplit) split;
            String file = fileSplit.getPath().toString();
            if (fileSplit.getStart() != 0) throw new IllegalStateException(file + " was split; CSV files are read whole");
            return new Iterator<>() {
                private long line;
                private Row next;

                @Override
                public boolean hasNext() {
                    while (next == null && records.hasNext()) {
                        String text = records.next()._2().toString();
                        line++;
                        if (line == 1) {
                            List<String> columns = parseHeader(file, text);
                            if (!columns.equals(header.columns())) {
                                throw new InputException(file + ": the header " + columns + " differs from "
                                        + header.columns() + " in " + header.file() + "; every CSV file starts with the same header");
                            }
                        } else if (!text.isBlank()) {
                            List<String> fields = CsvLine.split(text);
                            next = RowFactory.create(fields == null ? null : fields.toArray(new String[0]), file, line);
                        }
                    }
                    return next != null;
                }

                @Override
                public Row next() {
                    if (!hasNext()) throw new NoSuchElementException();
                    Row r = next;
                    next = null;
                    return r;
                }
            };
        }
    }
}
