package io.tributary.job.read;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;

import java.io.IOException;
import java.io.InputStream;

/**
 * CSV files for Hadoop's input machinery, each read whole by one task from its first byte (so that
 * lines can be numbered), through its compression codec, with lines bounded by {@link BoundedLines}:
 * the key is a line's number (from 1), the value its bytes. Hadoop's own line reader has no such
 * bound that fails (its maximum length silently drops longer lines).
 */
public final class WholeCsvFiles extends FileInputFormat<LongWritable, Text> {
    /** The configuration key holding the longest line allowed, in bytes. */
    static final String MAX_LINE_BYTES = "tributary.csv.max-line-bytes";

    @Override
    protected boolean isSplitable(JobContext context, Path file) {
        return false;
    }

    @Override
    public RecordReader<LongWritable, Text> createRecordReader(InputSplit split, TaskAttemptContext context) {
        return new Lines();
    }

    private static final class Lines extends RecordReader<LongWritable, Text> {
        private final LongWritable key = new LongWritable();
        private final Text value = new Text();
        private BoundedLines lines;
        private long length;
        private long read;

        @Override
        public void initialize(InputSplit split, TaskAttemptContext context) throws IOException {
            FileSplit file = (FileSplit) split;
            Configuration conf = context.getConfiguration();
            Path path = file.getPath();
            CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
            InputStream raw = path.getFileSystem(conf).open(path);
            InputStream in = codec == null ? raw : codec.createInputStream(raw);
            length = file.getLength();
            lines = new BoundedLines(in, path.toString(), conf.getInt(MAX_LINE_BYTES, Integer.MAX_VALUE - 8));
        }

        @Override
        public boolean nextKeyValue() throws IOException {
            if (!lines.next()) return false;
            key.set(lines.number());
            value.set(lines.bytes(), 0, lines.length());
            read += lines.length() + 1;
            return true;
        }

        @Override
        public LongWritable getCurrentKey() {
            return key;
        }

        @Override
        public Text getCurrentValue() {
            return value;
        }

        @Override
        public float getProgress() {
            return length == 0 ? 1f : Math.min(1f, read / (float) length);
        }

        @Override
        public void close() throws IOException {
            if (lines != null) lines.close();
        }
    }
}
