package io.tributary.job.train;

import io.tributary.common.data.RawBatch;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * Looks a batch up by id in the broadcast dataset. The data reaches each executor once (as a
 * broadcast) instead of inside every task, and tasks carry only batch ids.
 */
public final class BatchById implements Function<Integer, RawBatch> {
    private final Broadcast<RawBatch[]> batches;

    public BatchById(Broadcast<RawBatch[]> batches) {
        this.batches = batches;
    }

    @Override
    public RawBatch call(Integer id) {
        return batches.value()[id];
    }
}
