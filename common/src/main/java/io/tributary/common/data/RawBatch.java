package io.tributary.common.data;

import java.io.Serializable;

/**
 * One minibatch in the compact form in which data is cached on executors: features as unsigned
 * bytes (pixels stay bytes) or as floats, {@code channels x rows x cols} values per example in
 * channel-major order (NCHW), one int label per example, and the scale the features are multiplied
 * by when the batch becomes an ND4J DataSet ({@link DataSets#toDataSet}). A plain final class rather
 * than a record: Spark's Kryo 4 cannot serialize records.
 */
public final class RawBatch implements Serializable {
    private final int id;
    private final long firstIndex;
    private final int count;
    private final int channels;
    private final int rows;
    private final int cols;
    private final int numClasses;
    private final byte[] bytes;
    private final float[] floats;
    private final float scale;
    private final int[] labels;

    /**
     * @param id         the batch's number in its dataset (training order is a permutation of these)
     * @param firstIndex the index of the batch's first example in the dataset's order (examples are
     *                   consecutive), for reports that name examples
     * @param bytes      {@code count * channels * rows * cols} unsigned bytes, or {@code null} when
     *                   {@code floats} holds the features
     */
    public RawBatch(int id, long firstIndex, int count, int channels, int rows, int cols, int numClasses,
                    byte[] bytes, float[] floats, float scale, int[] labels) {
        long values = (long) count * channels * rows * cols;
        if ((bytes == null) == (floats == null)) {
            throw new IllegalArgumentException("a batch holds bytes or floats, exactly one of them");
        }
        if ((bytes != null ? bytes.length : floats.length) != values || labels.length != count) {
            throw new IllegalArgumentException("a batch of " + count + " examples of " + channels + "x" + rows + "x"
                    + cols + " needs " + values + " feature values and " + count + " labels");
        }
        this.id = id;
        this.firstIndex = firstIndex;
        this.count = count;
        this.channels = channels;
        this.rows = rows;
        this.cols = cols;
        this.numClasses = numClasses;
        this.bytes = bytes;
        this.floats = floats;
        this.scale = scale;
        this.labels = labels;
    }

    /** A batch of byte images with one channel, in [0, 255], scaled to [0, 1] (the IDX layout). */
    public static RawBatch ofPixels(int id, long firstIndex, int count, int rows, int cols, int numClasses,
                                    byte[] pixels, int[] labels) {
        return new RawBatch(id, firstIndex, count, 1, rows, cols, numClasses, pixels, null, 1f / 255f, labels);
    }

    /** The same examples under another id (batches are numbered once the partitions' sizes are known). */
    public RawBatch withId(int newId) {
        return new RawBatch(newId, firstIndex, count, channels, rows, cols, numClasses, bytes, floats, scale, labels);
    }

    public int id() {
        return id;
    }

    public long firstIndex() {
        return firstIndex;
    }

    public int count() {
        return count;
    }

    public int channels() {
        return channels;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Values per example. */
    public int valuesPerExample() {
        return channels * rows * cols;
    }

    /** The features as unsigned bytes, or {@code null} when they are floats. */
    public byte[] bytes() {
        return bytes;
    }

    /** The features as floats, or {@code null} when they are bytes. */
    public float[] floats() {
        return floats;
    }

    public float scale() {
        return scale;
    }

    public int[] labels() {
        return labels;
    }
}
