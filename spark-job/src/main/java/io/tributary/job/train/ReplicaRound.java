package io.tributary.job.train;

import io.tributary.common.data.DataSets;
import io.tributary.common.data.RawBatch;
import io.tributary.common.model.Network;
import io.tributary.job.spark.Nd4jThreads;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;

/**
 * One replica's part of an averaging round, run as the task of its partition of {@link ReplicaData}
 * (where Spark finds it cached): load the round's broadcast state into a network of this JVM, fit the
 * replica's minibatches of the round ({@link ReplicaPlan}), and return the parameters and updater state.
 * Everything it computes is a function of the broadcast state, the replica's examples and (seed, epoch,
 * round, replica), so a retried or moved task computes the same bytes.
 */
final class ReplicaRound implements Function2<Integer, Iterator<RawBatch>, Iterator<ReplicaResult>> {
    /**
     * A system property naming one task, {@code EPOCH/ROUND/REPLICA} (epoch and round from 1), that fails
     * on its first attempt: how tests show a retried task changes nothing.
     */
    static final String FAIL_FIRST_ATTEMPT = "tributary.fail-first-attempt";

    private final Broadcast<String> conf;
    private final Broadcast<RoundState> state;
    private final Spec spec;

    /**
     * Where a round stands in the run, and how replicas cut their minibatches.
     *
     * @param round the round, from 0
     */
    record Spec(long seed, int epoch, int round, int batchSize, int averagingFrequency, int threads)
            implements Serializable {
    }

    ReplicaRound(Broadcast<String> conf, Broadcast<RoundState> state, Spec spec) {
        this.conf = conf;
        this.state = state;
        this.spec = spec;
    }

    @Override
    public Iterator<ReplicaResult> call(Integer replica, Iterator<RawBatch> partition) {
        long started = System.nanoTime();
        failIfAsked(replica);
        ReplicaExamples examples = ReplicaExamples.of(partition);
        int batches = (examples.count() + spec.batchSize() - 1) / spec.batchSize();
        int from = spec.round() * spec.averagingFrequency();
        int to = Math.min(batches, from + spec.averagingFrequency());
        if (from >= to) {
            return List.of(ReplicaResult.satOut(replica)).iterator();
        }
        Nd4jThreads.ensure(spec.threads());
        int[] order = ReplicaPlan.order(examples.count(), spec.seed(), spec.epoch(), replica);
        Network net = ReplicaNetworks.borrow(conf);
        load(net, state.value());
        Nd4j.getRandom().setSeed(ReplicaPlan.randomSeed(spec.seed(), spec.epoch(), spec.round(), replica));
        double lossSum = 0;
        long fitStarted = System.nanoTime();
        for (int b = from; b < to; b++) {
            int first = b * spec.batchSize();
            int n = Math.min(spec.batchSize(), examples.count() - first);
            net.fit(DataSets.toDataSet(examples.gather(order, first, n)));
            lossSum += net.score();
        }
        double fitSeconds = (System.nanoTime() - fitStarted) / 1e9;
        INDArray updater = net.updaterState();
        float[] params = net.params().toFloatVector();
        float[] updaterState = updater == null ? null : updater.toFloatVector();
        ReplicaResult result = new ReplicaResult(replica, to - from, lossSum, params, updaterState,
                (System.nanoTime() - started) / 1e9, fitSeconds);
        ReplicaNetworks.release(conf, net);
        return List.of(result).iterator();
    }

    /** Puts the round's parameters, updater state and counters into {@code net}. */
    static void load(Network net, RoundState s) {
        INDArray params = net.params();
        net.setParams(Nd4j.create(s.params, params.shape(), DataType.FLOAT).castTo(params.dataType()));
        if (s.updater != null) {
            INDArray updater = net.updaterState();
            net.setUpdaterState(Nd4j.create(s.updater, updater.shape(), DataType.FLOAT).castTo(updater.dataType()));
        }
        net.setCounts(s.iterations, s.epochs);
    }

    private void failIfAsked(int replica) {
        String at = spec.epoch() + "/" + (spec.round() + 1) + "/" + replica;
        TaskContext task = TaskContext.get();
        if (at.equals(System.getProperty(FAIL_FIRST_ATTEMPT)) && task != null && task.attemptNumber() == 0) {
            throw new IllegalStateException("Failing replica " + replica + " of round " + (spec.round() + 1) + " of epoch "
                    + spec.epoch() + " on its first attempt, on executor " + SparkEnv.get().executorId() + ", as "
                    + FAIL_FIRST_ATTEMPT + " asks");
        }
    }
}
