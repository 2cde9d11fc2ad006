package io.tributary.job.score;

import io.tributary.common.data.DataSets;
import io.tributary.common.data.RawBatch;
import io.tributary.common.model.Network;
import io.tributary.job.read.ExampleRows;
import io.tributary.job.spark.Nd4jThreads;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Runs on executors: scores a partition of {@link io.tributary.job.read.ScoringRows} a minibatch at a
 * time with a network borrowed from {@link ExecutorNetworks} for the partition, and gives the rows of
 * {@link Scorer#schema}. The features become an array exactly as for evaluation ({@link DataSets#toDataSet}),
 * so predictions match {@code tributary evaluate}'s.
 */
final class ScorePartition implements MapPartitionsFunction<Row, Row> {
    /** What every batch of the job shares. */
    record Spec(int channels, int height, int width, boolean bytes, float scale, int batchSize, int numClasses,
                List<String> classNames, int kept, boolean labelled, int threadsPerTask) implements Serializable {
        int size() {
            return channels * height * width;
        }
    }

    private final Broadcast<String> conf;
    private final Broadcast<INDArray> params;
    private final Spec spec;
    private final LongAccumulator examples;
    private final LongAccumulator labelled;
    private final LongAccumulator correct;

    ScorePartition(Broadcast<String> conf, Broadcast<INDArray> params, Spec spec, LongAccumulator examples,
                   LongAccumulator labelled, LongAccumulator correct) {
        this.conf = conf;
        this.params = params;
        this.spec = spec;
        this.examples = examples;
        this.labelled = labelled;
        this.correct = correct;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        Nd4jThreads.ensure(spec.threadsPerTask());
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();
            private Network net;

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && input.hasNext()) {
                    if (net == null) net = ExecutorNetworks.borrow(conf, params);
                    scoreBatch(net, input, ready);
                }
                if (ready.isEmpty() && net != null) {
                    ExecutorNetworks.release(conf, net);
                    net = null;
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.poll();
            }
        };
    }

    /** Reads up to a batch of rows from {@code input}, scores them and puts their output rows into {@code out}. */
    private void scoreBatch(Network net, Iterator<Row> input, ArrayDeque<Row> out) {
        int size = spec.size();
        List<Row> rows = new ArrayList<>(spec.batchSize());
        while (rows.size() < spec.batchSize() && input.hasNext()) rows.add(input.next());
        int n = rows.size();
        byte[] bytes = spec.bytes() ? new byte[n * size] : null;
        float[] floats = spec.bytes() ? null : new float[n * size];
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            if (bytes != null) {
                System.arraycopy((byte[]) r.get(0), 0, bytes, i * size, size);
            } else {
                ExampleRows.copyFloats(r.get(0), floats, i * size, size);
            }
        }
        // Labels are not used by inference; the batch form needs some.
        RawBatch batch = new RawBatch(0, -1, n, spec.channels(), spec.height(), spec.width(), spec.numClasses(),
                bytes, floats, spec.scale(), new int[n]);
        float[][] probabilities = net.output(DataSets.toDataSet(batch).getFeatures()).toFloatMatrix();
        long right = 0;
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            float[] p = probabilities[i];
            int predicted = DataSets.predictedClass(p);
            if (spec.labelled() && r.getInt(1) == predicted) right++;
            Object[] values = new Object[spec.kept() + (spec.classNames() != null ? 3 : 2)];
            for (int k = 0; k < spec.kept(); k++) values[k] = r.get(2 + k);
            int at = spec.kept();
            values[at++] = predicted;
            if (spec.classNames() != null) values[at++] = spec.classNames().get(predicted);
            values[at] = p;
            out.add(RowFactory.create(values));
        }
        examples.add(n);
        if (spec.labelled()) {
            labelled.add(n);
            correct.add(right);
        }
    }
}
