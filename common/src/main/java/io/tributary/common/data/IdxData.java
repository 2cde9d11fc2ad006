package io.tributary.common.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Labelled images as IDX files hold them: {@code count} images of {@code rows x cols} unsigned bytes,
 * row-major, and one label in {@code [0, numClasses)} per image.
 */
public record IdxData(int count, int rows, int cols, int numClasses, byte[] pixels, byte[] labels)
        implements Serializable {

    public IdxData {
        if ((long) count * rows * cols != pixels.length || count != labels.length) {
            throw new IllegalArgumentException("pixels/labels do not match " + count + " images of " + rows + "x" + cols);
        }
    }

    /** The first {@code n} examples, or all of them when {@code n} is 0 or not smaller than the count. */
    public IdxData head(int n) {
        if (n <= 0 || n >= count) {
            return this;
        }
        int px = rows * cols;
        return new IdxData(n, rows, cols, numClasses, Arrays.copyOf(pixels, n * px),
                Arrays.copyOf(labels, n));
    }
}
