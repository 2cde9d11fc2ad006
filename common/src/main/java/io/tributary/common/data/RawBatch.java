package io.tributary.common.data;

import java.io.Serializable;

/**
 * One minibatch as raw bytes (one byte per pixel and per label), the compact form in which training
 * data is cached on executors; it becomes an ND4J DataSet only when a task needs it. A plain final
 * class rather than a record: Spark's Kryo 4 cannot serialize records.
 */
public final class RawBatch implements Serializable {
    private final int id;
    private final int count;
    private final int rows;
    private final int cols;
    private final int numClasses;
    private final byte[] pixels;
    private final byte[] labels;

    public RawBatch(int id, int count, int rows, int cols, int numClasses, byte[] pixels, byte[] labels) {
        this.id = id;
        this.count = count;
        this.rows = rows;
        this.cols = cols;
        this.numClasses = numClasses;
        this.pixels = pixels;
        this.labels = labels;
    }

    public int id() {
        return id;
    }

    public int count() {
        return count;
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

    public byte[] pixels() {
        return pixels;
    }

    public byte[] labels() {
        return labels;
    }
}
