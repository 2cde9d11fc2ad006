package io.tributary.common.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A confusion matrix kept as its non-zero cells: memory grows with the distinct (actual, predicted)
 * pairs seen, at most the examples counted, never with the square of the classes. A task counting
 * 500 examples of a 30,000-class problem holds at most 500 cells, where a dense matrix would need
 * 7.2 GB. Cells live in an open-addressing table of two {@code long} arrays (a plain class, which
 * Kryo serializes as a task result).
 */
public final class Confusion implements Serializable {
    /** Matrices of at most this many classes are also written out whole ({@link #dense}); larger ones as cells. */
    public static final int DENSE_CLASSES = 100;
    private static final long EMPTY = -1;

    private final int numClasses;
    private long[] keys;
    private long[] counts;
    private int size;

    public Confusion(int numClasses) {
        if (numClasses < 1) throw new IllegalArgumentException("numClasses must be >= 1, not " + numClasses);
        this.numClasses = numClasses;
        this.keys = empty(16);
        this.counts = new long[16];
    }

    public int numClasses() {
        return numClasses;
    }

    /** Counts {@code n} examples of class {@code actual} predicted as {@code predicted}. */
    public void add(int actual, int predicted, long n) {
        if (actual < 0 || actual >= numClasses || predicted < 0 || predicted >= numClasses) {
            throw new IllegalArgumentException("class " + actual + " predicted as " + predicted + " is outside 0.."
                    + (numClasses - 1));
        }
        if (n == 0) return;
        long key = (long) actual * numClasses + predicted;
        int slot = slot(keys, key);
        if (keys[slot] == EMPTY) {
            keys[slot] = key;
            size++;
            if (size * 2 > keys.length) {
                counts[slot] += n;
                grow();
                return;
            }
        }
        counts[slot] += n;
    }

    /** Adds every cell of {@code other} (of the same classes). */
    public void addAll(Confusion other) {
        if (other.numClasses != numClasses) {
            throw new IllegalArgumentException(other.numClasses + " classes added to " + numClasses);
        }
        for (int i = 0; i < other.keys.length; i++) {
            if (other.keys[i] != EMPTY) {
                add((int) (other.keys[i] / numClasses), (int) (other.keys[i] % numClasses), other.counts[i]);
            }
        }
    }

    /** The count of class {@code actual} predicted as {@code predicted}. */
    public long count(int actual, int predicted) {
        long key = (long) actual * numClasses + predicted;
        int slot = slot(keys, key);
        return keys[slot] == EMPTY ? 0 : counts[slot];
    }

    /** The non-zero cells as {@code {actual, predicted, count}}, by actual then predicted class. */
    public List<long[]> cells() {
        List<long[]> cells = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) cells.add(new long[] {keys[i] / numClasses, keys[i] % numClasses, counts[i]});
        }
        cells.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        return cells;
    }

    /** Whether the matrix is small enough to be written out whole ({@value #DENSE_CLASSES} classes or fewer). */
    public boolean isSmall() {
        return numClasses <= DENSE_CLASSES;
    }

    /**
     * The whole matrix (rows: actual class).
     *
     * @throws IllegalStateException for more than {@value #DENSE_CLASSES} classes
     */
    public long[][] dense() {
        if (!isSmall()) {
            throw new IllegalStateException(numClasses + " classes: more than " + DENSE_CLASSES + " to write out whole");
        }
        long[][] m = new long[numClasses][numClasses];
        for (long[] c : cells()) m[(int) c[0]][(int) c[1]] = c[2];
        return m;
    }

    /** The matrix of a whole confusion matrix (rows: actual class), e.g. one read back from metrics.json. */
    public static Confusion of(long[][] matrix) {
        Confusion c = new Confusion(matrix.length);
        for (int a = 0; a < matrix.length; a++) {
            for (int p = 0; p < matrix[a].length; p++) c.add(a, p, matrix[a][p]);
        }
        return c;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldCounts = counts;
        keys = empty(oldKeys.length * 2);
        counts = new long[keys.length];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int slot = slot(keys, oldKeys[i]);
                keys[slot] = oldKeys[i];
                counts[slot] = oldCounts[i];
            }
        }
    }

    /** The slot holding {@code key}, or the empty slot where it would go (linear probing; the table is never full). */
    private static int slot(long[] keys, long key) {
        int mask = keys.length - 1;
        int i = (int) (mix(key) & mask);
        while (keys[i] != EMPTY && keys[i] != key) i = (i + 1) & mask;
        return i;
    }

    private static long mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 32);
    }

    private static long[] empty(int capacity) {
        long[] k = new long[capacity];
        Arrays.fill(k, EMPTY);
        return k;
    }
}
