package io.tributary.job.train;

import io.tributary.common.data.RawBatch;
import io.tributary.job.read.Batching;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

import java.util.Arrays;

/**
 * Picks cached batches by their number (0..n-1 across partitions: a partition's offset plus the
 * batch's place in it), on the executors where the batches are cached.
 */
final class BatchFilter {
    private BatchFilter() {
    }

    static int number(int[] offsets, RawBatch b) {
        return offsets[Batching.partitionOf(b.id())] + Batching.indexInPartition(b.id());
    }

    /** The batches of one step of an epoch's plan (the plan's step of each batch, broadcast once an epoch). */
    static final class InStep implements Function<RawBatch, Boolean> {
        private final int[] offsets;
        private final Broadcast<int[]> stepOf;
        private final int step;

        InStep(int[] offsets, Broadcast<int[]> stepOf, int step) {
            this.offsets = offsets;
            this.stepOf = stepOf;
            this.step = step;
        }

        @Override
        public Boolean call(RawBatch b) {
            return stepOf.value()[number(offsets, b)] == step;
        }
    }

    /** The batches with the given numbers ({@code numbers} sorted). */
    static final class Numbered implements Function<RawBatch, Boolean> {
        private final int[] offsets;
        private final int[] numbers;

        Numbered(int[] offsets, int[] numbers) {
            this.offsets = offsets;
            this.numbers = numbers;
        }

        @Override
        public Boolean call(RawBatch b) {
            return Arrays.binarySearch(numbers, number(offsets, b)) >= 0;
        }
    }
}
