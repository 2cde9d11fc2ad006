package io.tributary.job.train;

import io.tributary.common.data.DataSets;
import io.tributary.common.data.RawBatch;
import io.tributary.job.spark.Nd4jThreads;
import org.apache.spark.api.java.function.Function;
import org.nd4j.linalg.dataset.DataSet;

/** Executor-side conversion of a {@link RawBatch} into an ND4J DataSet; also sets the task's ND4J threads. */
public final class ToDataSet implements Function<RawBatch, DataSet> {
    private final int threadsPerTask;

    public ToDataSet(int threadsPerTask) {
        this.threadsPerTask = threadsPerTask;
    }

    @Override
    public DataSet call(RawBatch b) {
        Nd4jThreads.ensure(threadsPerTask);
        return DataSets.toDataSet(b);
    }
}
