package io.tributary.job.train;

import io.tributary.common.data.RawBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * One replica's examples as a task finds them cached ({@link ReplicaData}: chunks of
 * {@link ReplicaData#CHUNK} in identity order), read by place, and the minibatches of an epoch's order
 * gathered from them. Executor side.
 */
final class ReplicaExamples {
    private final List<RawBatch> chunks;
    private final int count;

    private ReplicaExamples(List<RawBatch> chunks, int count) {
        this.chunks = chunks;
        this.count = count;
    }

    /** The partition's chunks, each full but the last. */
    static ReplicaExamples of(Iterator<RawBatch> partition) {
        List<RawBatch> chunks = new ArrayList<>();
        int count = 0;
        while (partition.hasNext()) {
            RawBatch c = partition.next();
            if (c.firstIndex() != count || (!chunks.isEmpty() && chunks.get(chunks.size() - 1).count() != ReplicaData.CHUNK)) {
                throw new IllegalStateException("replica chunk " + c.id() + " starts at example " + c.firstIndex()
                        + ", expected " + count + " after full chunks of " + ReplicaData.CHUNK);
            }
            chunks.add(c);
            count += c.count();
        }
        return new ReplicaExamples(chunks, count);
    }

    int count() {
        return count;
    }

    /**
     * The minibatch of the examples at places {@code order[from]} .. {@code order[from + n - 1]}, in that
     * order (the replica has at least one example).
     */
    RawBatch gather(int[] order, int from, int n) {
        RawBatch first = chunks.get(0);
        int size = first.valuesPerExample();
        boolean bytes = first.bytes() != null;
        byte[] byteValues = bytes ? new byte[n * size] : null;
        float[] floatValues = bytes ? null : new float[n * size];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int place = order[from + i];
            RawBatch c = chunks.get(place / ReplicaData.CHUNK);
            int k = place % ReplicaData.CHUNK;
            if (bytes) {
                System.arraycopy(c.bytes(), k * size, byteValues, i * size, size);
            } else {
                System.arraycopy(c.floats(), k * size, floatValues, i * size, size);
            }
            labels[i] = c.labels()[k];
        }
        return new RawBatch(from, -1, n, first.channels(), first.rows(), first.cols(), first.numClasses(), byteValues,
                floatValues, first.scale(), labels);
    }

    /** Examples {@code from} .. {@code from + n - 1} of one chunk, as a batch of their own. */
    static RawBatch slice(RawBatch c, int from, int n) {
        int size = c.valuesPerExample();
        byte[] bytes = c.bytes() == null ? null : Arrays.copyOfRange(c.bytes(), from * size, (from + n) * size);
        float[] floats = c.floats() == null ? null
                : Arrays.copyOfRange(c.floats(), from * size, (from + n) * size);
        return new RawBatch(c.id(), c.firstIndex() + from, n, c.channels(), c.rows(), c.cols(), c.numClasses(), bytes,
                floats, c.scale(), Arrays.copyOfRange(c.labels(), from, from + n));
    }
}
