package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.data.RawBatch;
import io.tributary.common.model.Network;
import io.tributary.common.model.NetworkConfig;
import io.tributary.common.model.OneCycle;
import io.tributary.job.spark.SparkRuntime;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parameter averaging as Tributary's own rounds on Spark. The training examples are dealt once to K
 * logical replicas ({@link ReplicaData}); each round is one Spark job of K tasks, task {@code r} training
 * replica {@code r} where its examples are cached ({@link ReplicaRound}) from the state the driver
 * broadcast, and the driver averages what they return, parameters and updater state, in replica order in
 * double precision, into the next round's state. What a replica computes depends on the round's state,
 * its examples and (seed, epoch, round, replica), never on the executor or the task attempt that runs it,
 * and the average does not depend on the order tasks finish: the model's bytes are the same whatever
 * executors run the rounds, and whichever come and go between them (Spark reschedules a lost executor's
 * tasks and rebuilds its cached examples from their lineage).
 */
final class AveragingRounds implements SyncEngine {
    /** The call site Spark names a round's job and stage after (UI, event log). */
    static final String CALL_SITE = "tributary averaging round";
    private static final String REPLICAS = "replicas";
    private static final String REPLICA_EXAMPLES = "replica_examples";
    private static final String BATCH_SIZE = "batch_size";
    private static final String AVERAGING_FREQUENCY = "averaging_frequency";
    private static final String PLAN_VERSION = "replica_plan";
    private static final String MAX_RESULT_SIZE = "spark.driver.maxResultSize";
    private static final String MAX_RESULT_SIZE_DEFAULT = "1g";
    /** What a replica's result is serialized with beyond its arrays, with room to spare. */
    private static final long RESULT_FRAMING_BYTES = 4096;

    private final JavaSparkContext sc;
    private final ReplicaData data;
    private final ReplicaPlan plan;
    private final Network net;
    private final Broadcast<String> conf;
    private final int threads;
    private RoundTimes times = RoundTimes.NONE;

    private AveragingRounds(JavaSparkContext sc, ReplicaData data, ReplicaPlan plan, Network net,
                            NetworkConfig replicaConfig, int threads) {
        this.sc = sc;
        this.data = data;
        this.plan = plan;
        this.net = net;
        this.conf = sc.broadcast(replicaConfig.toJson());
        this.threads = threads;
    }

    /** Deals {@code data} to {@code config}'s replicas (resolved: at least 1) and prepares to train {@code net}. */
    static AveragingRounds start(SparkRuntime spark, TrainConfig config, TrainingData data, Network net) {
        requireResultRoom(spark.sc().getConf(), config.replicas(), net);
        ReplicaData replicas = ReplicaData.of(spark.sc(), data, config, config.replicas());
        ReplicaPlan plan = new ReplicaPlan(config.batchSizePerWorker(), config.averagingFrequency(), config.seed(),
                replicas.examples());
        return new AveragingRounds(spark.sc(), replicas, plan, net, replicaConfig(config, plan, net.config(), net.iterationCount()),
                spark.threadsPerTask());
    }

    /**
     * The configuration replicas train: {@code conf} with {@code config}'s learning rate schedule, which
     * spans the run's epochs of {@code plan}'s steps from {@code start}, the iteration count of the
     * network the run starts from (a saved model's count carries on); the count that rounds carry says
     * where a round stands in it, a resumed round's too. The driver's network, which is saved, keeps its rate.
     */
    static NetworkConfig replicaConfig(TrainConfig config, ReplicaPlan plan, NetworkConfig conf, int start) {
        int steps = config.epochs() * plan.steps();
        return switch (config.lrSchedule()) {
            case CONSTANT -> conf;
            // A single step makes no cycle: it trains at the rate.
            case ONE_CYCLE -> steps < 2 ? conf : conf.withSchedule(rate -> new OneCycle(rate, start, steps));
        };
    }

    /**
     * Refuses, before the data is dealt, a run whose rounds would return more to the driver than
     * {@code spark.driver.maxResultSize} lets one job return (Spark would fail the first round): every round
     * collects each replica's parameters and updater state.
     */
    static void requireResultRoom(SparkConf conf, int replicas, Network net) {
        long limit = conf.getSizeAsBytes(MAX_RESULT_SIZE, MAX_RESULT_SIZE_DEFAULT);
        INDArray updater = net.updaterState();
        long state = 4L * (net.numParams() + (updater == null ? 0 : updater.length()));
        long needed = replicas * (state + RESULT_FRAMING_BYTES);
        if (limit > 0 && needed > limit) {
            throw new InputException(String.format(Locale.ROOT, "%s is %s (%d bytes), but averaging %d replicas of"
                    + " this model returns %d results of %.1f MiB (parameters and updater state) to the driver every"
                    + " round, %.1f MiB in all, which must fit within it; set %s to at least %dm (spark-submit's"
                    + " --conf, or -D in TRIBUTARY_JAVA_OPTS), with spark.driver.memory to hold them while it"
                    + " averages, or train fewer replicas (--replicas; without it, one per executor core)",
                    MAX_RESULT_SIZE, conf.get(MAX_RESULT_SIZE, MAX_RESULT_SIZE_DEFAULT), limit, replicas, replicas,
                    state / 1048576.0, needed / 1048576.0, MAX_RESULT_SIZE, (needed + (1 << 20) - 1) >> 20));
        }
    }

    @Override
    public int steps() {
        return plan.rounds();
    }

    @Override
    public String stepName() {
        return "round";
    }

    @Override
    public Step step(int epoch, int round) {
        long started = System.nanoTime();
        RoundState start = RoundState.of(net, epoch);
        Broadcast<RoundState> state = sc.broadcast(start);
        try {
            ReplicaRound.Spec spec = new ReplicaRound.Spec(plan.seed(), epoch, round, plan.batchSize(),
                    plan.averagingFrequency(), threads);
            List<ReplicaResult> results;
            sc.setCallSite(CALL_SITE);
            long jobStarted = System.nanoTime();
            try {
                results = data.train().mapPartitionsWithIndex(new ReplicaRound(conf, state, spec), false).collect();
            } finally {
                sc.clearCallSite();
            }
            long averageStarted = System.nanoTime();
            Step step = average(results, epoch, round);
            long ended = System.nanoTime();
            int mostBatches = results.stream().mapToInt(r -> r.batches).max().orElse(0);
            double slowestTask = results.stream().mapToDouble(r -> r.taskSeconds).max().orElse(0);
            double slowestFit = results.stream().mapToDouble(r -> r.fitSeconds).max().orElse(0);
            times = times.plus(plan.replicas(), start.bytes(), mostBatches, new RoundTimes.Round((ended - started) / 1e9,
                    (averageStarted - jobStarted) / 1e9, slowestTask, slowestFit, (ended - averageStarted) / 1e9));
            return step;
        } finally {
            state.destroy();
        }
    }

    /** Puts the average of the replicas that trained into the network; the round's examples and mean loss. */
    private Step average(List<ReplicaResult> results, int epoch, int round) {
        List<float[]> params = new ArrayList<>();
        List<float[]> updaters = new ArrayList<>();
        double lossSum = 0;
        int batches = 0;
        int most = 0;
        if (results.size() != plan.replicas()) {
            throw new IllegalStateException("Round " + (round + 1) + " of epoch " + epoch + " returned " + results.size()
                    + " results for " + plan.replicas() + " replicas");
        }
        for (int r = 0; r < results.size(); r++) {
            ReplicaResult result = results.get(r);
            if (result.replica != r || result.batches != plan.batchesIn(round, r)) {
                throw new IllegalStateException("Round " + (round + 1) + " of epoch " + epoch + ": replica " + r
                        + " returned the result of replica " + result.replica + " with " + result.batches
                        + " minibatches; expected " + plan.batchesIn(round, r));
            }
            if (result.batches > 0) {
                params.add(result.params);
                updaters.add(result.updater);
                lossSum += result.lossSum;
                batches += result.batches;
                most = Math.max(most, result.batches);
            }
        }
        float[] updater = updaters.get(0) == null ? null : mean(updaters);
        ReplicaRound.load(net, new RoundState(mean(params), updater, net.iterationCount() + most, epoch - 1));
        return new Step(plan.examplesIn(round), lossSum / batches);
    }

    /**
     * The element-wise mean of {@code arrays}, summed in their order in double precision: the same bytes
     * for the same arrays in the same order, on any JVM.
     */
    static float[] mean(List<float[]> arrays) {
        int n = arrays.size();
        float[] out = new float[arrays.get(0).length];
        for (int i = 0; i < out.length; i++) {
            double sum = 0;
            for (float[] a : arrays) {
                sum += a[i];
            }
            out[i] = (float) (sum / n);
        }
        return out;
    }

    @Override
    public void epochEnded(int epoch) {
        net.setCounts(net.iterationCount(), epoch);
    }

    @Override
    public RoundTimes takeTimes() {
        RoundTimes taken = times;
        times = RoundTimes.NONE;
        return taken;
    }

    @Override
    public Network network() {
        return net;
    }

    @Override
    public JavaRDD<RawBatch> test() {
        return data.test();
    }

    @Override
    public JavaRDD<RawBatch> trainSample(int n) {
        return n == 0 ? null : data.sample(n);
    }

    @Override
    public long examples() {
        return plan.totalExamples();
    }

    @Override
    public long cachedBytes() {
        return data.cachedBytes();
    }

    @Override
    public Map<String, Object> layout() {
        Map<String, Object> layout = new LinkedHashMap<>();
        layout.put(REPLICAS, plan.replicas());
        layout.put(REPLICA_EXAMPLES, Arrays.stream(plan.examples()).boxed().toList());
        layout.put(BATCH_SIZE, plan.batchSize());
        layout.put(AVERAGING_FREQUENCY, plan.averagingFrequency());
        layout.put(PLAN_VERSION, ReplicaPlan.VERSION);
        return layout;
    }

    @Override
    public void requireLayout(String checkpoint, Map<String, Object> saved, boolean midEpoch) {
        if (!saved.containsKey(REPLICAS)) {
            if (midEpoch) {
                throw new InputException("Cannot resume from checkpoint " + checkpoint + " within its epoch: it was"
                        + " written by DL4J's training master (sync dl4j-param-avg or shared-gradients, or a release"
                        + " before averaging rounds), which dealt an epoch's batches otherwise; resume from a checkpoint"
                        + " at an epoch's end (remove the newer ones), resume with that sync mode, or train anew");
            }
            return;   // at an epoch's end only the model carries over
        }
        Map<String, Object> ours = layout();
        List<String> keys = List.of(REPLICAS, REPLICA_EXAMPLES, BATCH_SIZE, AVERAGING_FREQUENCY);
        if (!keys.stream().allMatch(k -> String.valueOf(ours.get(k)).equals(String.valueOf(saved.get(k))))) {
            throw new InputException("Cannot resume from checkpoint " + checkpoint + ": it was made with "
                    + describe(saved) + ", this run has " + describe(ours) + "; resume with the same data, batch"
                    + " size, averaging frequency and replicas");
        }
        if (midEpoch && !String.valueOf(ours.get(PLAN_VERSION)).equals(String.valueOf(saved.get(PLAN_VERSION)))) {
            throw new InputException("Cannot resume from checkpoint " + checkpoint + " within its epoch: it was written"
                    + " by a release that ordered the replicas' examples otherwise; resume from a checkpoint at an"
                    + " epoch's end (remove the newer ones), or train anew");
        }
    }

    private static String describe(Map<String, Object> layout) {
        return layout.get(REPLICAS) + " replicas of " + layout.get(REPLICA_EXAMPLES) + " examples in minibatches of "
                + layout.get(BATCH_SIZE) + ", averaged every " + layout.get(AVERAGING_FREQUENCY);
    }

    @Override
    public Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put(REPLICAS, plan.replicas());
        info.put(REPLICA_EXAMPLES, Arrays.stream(plan.examples()).boxed().toList());
        info.put("rounds_per_epoch", plan.rounds());
        info.put("steps_per_epoch", plan.steps());
        return info;
    }

    @Override
    public void close() {
        conf.destroy();
        data.close();
    }
}
