package io.tributary.job.train;

import io.tributary.common.InputException;
import io.tributary.common.config.SyncMode;
import io.tributary.common.config.TrainConfig;
import io.tributary.common.data.RawBatch;
import io.tributary.common.model.Network;
import io.tributary.job.spark.SparkRuntime;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Training through DL4J's training masters ({@link TrainingMasters}): shared gradients, and DL4J's own
 * parameter averaging, kept for side-by-side benchmarks. The training batches are cached per partition
 * ({@link DistributedData}); each epoch visits them in a seeded order ({@link EpochPlan}), a step being one
 * {@code fit} of DL4J's Spark network over the step's batches, found where they are cached.
 */
final class Dl4jSteps implements SyncEngine {
    private static final String BATCHES_PER_UNIT = "batches_per_unit";
    private static final String PARTITION_BATCHES = "partition_batches";
    private static final String EPOCH_PLAN = "epoch_plan";
    /** What checkpoints of earlier releases call {@value #BATCHES_PER_UNIT} (they are resumed too). */
    private static final String FORMER_BATCHES_PER_UNIT = "batches_per_segment";

    private final JavaSparkContext sc;
    private final DistributedData data;
    private final TrainingMasters.Prepared master;
    private final SparkNetwork net;
    private final int batchesPerUnit;
    private final long seed;
    private final boolean shared;
    private final int threads;
    private final int numClasses;
    private final ToDataSet toDataSet;
    private final int steps;
    private int planned;
    private EpochPlan plan;
    private Broadcast<int[]> stepOf;

    private Dl4jSteps(JavaSparkContext sc, DistributedData data, TrainingMasters.Prepared master, Network net,
                      TrainConfig config, int workers, int threads, int numClasses) {
        this.sc = sc;
        this.data = data;
        this.master = master;
        this.net = new SparkNetwork(sc, net, master.master());
        this.batchesPerUnit = TrainingMasters.batchesPerUnit(config, workers, data.numBatches());
        this.seed = config.seed();
        this.shared = config.sync() == SyncMode.SHARED_GRADIENTS;
        this.threads = threads;
        this.numClasses = numClasses;
        this.toDataSet = new ToDataSet(threads);
        this.steps = epochPlan(1).steps();
    }

    static Dl4jSteps start(SparkRuntime spark, TrainConfig config, TrainingData data, Network net)
            throws InterruptedException {
        DistributedData distributed = DistributedData.of(spark.sc(), data, config);
        try {
            TrainingMasters.Prepared master = TrainingMasters.create(spark.sc(), config);
            return new Dl4jSteps(spark.sc(), distributed, master, net, config, spark.workers(), spark.threadsPerTask(),
                    data.numClasses());
        } catch (RuntimeException | InterruptedException e) {
            distributed.close();
            throw e;
        }
    }

    /**
     * How epoch {@code epoch}'s batches are visited. Shared gradients keep one seeded order over all
     * batches: their training master balances each step itself, and with steps dealt per partition DL4J's
     * shared-training wrapper hung (a worker waiting for a master loop already ended) in two of three
     * test runs with few batches a step, which the global order had not done.
     */
    private EpochPlan epochPlan(int epoch) {
        return shared ? EpochPlan.global(data.numBatches(), batchesPerUnit, seed, epoch)
                : EpochPlan.of(data.offsets(), data.numBatches(), batchesPerUnit, seed, epoch);
    }

    @Override
    public int steps() {
        return steps;
    }

    @Override
    public String stepName() {
        return "step";
    }

    /** Fits step {@code s}'s batches, where they are cached, with the training master. */
    @Override
    public Step step(int epoch, int s) {
        if (planned != epoch) {
            plan = epochPlan(epoch);
            if (stepOf != null) stepOf.destroy();
            stepOf = sc.broadcast(plan.stepOfBatch());
            planned = epoch;
        }
        List<Integer> numbers = plan.batchesOf(s);
        JavaRDD<DataSet> batches = data.train().filter(new BatchFilter.InStep(data.offsets(), stepOf, s))
                .map(toDataSet).persist(StorageLevel.MEMORY_ONLY());
        try {
            net.fit(batches);
        } finally {
            batches.unpersist(false);
        }
        long examples = 0;
        for (int b : numbers) {
            examples += data.batchSizes()[b];
        }
        // Shared gradients' training master reports no loss: the step's first batch, scored by the model.
        double loss = shared ? HoldoutEvaluation.run(sc, net.network(), data.train().filter(
                new BatchFilter.Numbered(data.offsets(), new int[] {numbers.get(0)})), numClasses, threads,
                Batches.EVAL_BATCH, 0).loss() : net.score();
        return new Step(examples, loss);
    }

    @Override
    public void epochEnded(int epoch) {
        // DL4J's training masters keep their own counters.
    }

    @Override
    public Network network() {
        return net.network();
    }

    @Override
    public JavaRDD<RawBatch> test() {
        return data.test();
    }

    /** The first batches in shuffled order up to {@code n} examples: a fixed random sample. */
    @Override
    public JavaRDD<RawBatch> trainSample(int n) {
        int[] sizes = data.batchSizes();
        int examples = 0;
        int batches = 0;
        while (batches < sizes.length && examples < n) {
            examples += sizes[batches++];
        }
        return batches == 0 ? null : data.train().filter(new BatchFilter.Numbered(data.offsets(),
                IntStream.range(0, batches).toArray()));
    }

    @Override
    public long examples() {
        return data.examples();
    }

    @Override
    public long cachedBytes() {
        return data.cachedTrainBytes();
    }

    @Override
    public Map<String, Object> layout() {
        int[] partitionBatches = data.partitionBatches();
        Map<String, Object> layout = new LinkedHashMap<>();
        layout.put(BATCHES_PER_UNIT, batchesPerUnit);
        layout.put("batches", Arrays.stream(partitionBatches).sum());
        layout.put(PARTITION_BATCHES, Arrays.stream(partitionBatches).boxed().toList());
        layout.put(EPOCH_PLAN, EpochPlan.VERSION);
        return layout;
    }

    @Override
    public void requireLayout(String checkpoint, Map<String, Object> saved, boolean midEpoch) {
        Object savedPerUnit = saved.containsKey(BATCHES_PER_UNIT) ? saved.get(BATCHES_PER_UNIT)
                : saved.get(FORMER_BATCHES_PER_UNIT);
        if (savedPerUnit == null) {
            if (midEpoch) {
                throw new InputException("Cannot resume from checkpoint " + checkpoint + " within its epoch with DL4J's"
                        + " training master: it was written by averaging rounds (sync param-avg), which deal an epoch's"
                        + " examples otherwise; resume from a checkpoint at an epoch's end (remove the newer ones),"
                        + " resume with --sync param-avg, or train anew");
            }
            return;
        }
        int numBatches = data.numBatches();
        int perUnit = ((Number) savedPerUnit).intValue();
        int savedBatches = saved.get("batches") instanceof Number n ? n.intValue() : -1;
        if (perUnit != batchesPerUnit || savedBatches != numBatches) {
            throw new InputException("Cannot resume from checkpoint " + checkpoint + ": it was made with "
                    + savedBatches + " batches in units of " + perUnit + ", this run has " + numBatches
                    + " in units of " + batchesPerUnit + "; resume with the same data, batch size, averaging"
                    + " frequency and number of workers");
        }
        // Within an epoch, the steps still to come must hold the batches they held when the checkpoint
        // was written: the same dealing of each partition's batches (an earlier release dealt them
        // otherwise; its checkpoints at an epoch's end resume, mid-epoch ones cannot).
        if (midEpoch) {
            boolean samePlan = saved.get(EPOCH_PLAN) instanceof Number v && v.intValue() == EpochPlan.VERSION;
            List<Integer> savedPartitions = saved.get(PARTITION_BATCHES) instanceof List<?> l
                    ? l.stream().map(o -> ((Number) o).intValue()).toList() : null;
            List<Integer> thisRun = Arrays.stream(data.partitionBatches()).boxed().toList();
            if (!samePlan || !thisRun.equals(savedPartitions)) {
                throw new InputException("Cannot resume from checkpoint " + checkpoint + " within its epoch: "
                        + (samePlan ? "its data was cut into " + savedPartitions + " batches per partition, this run's into " + thisRun
                        : "it was written by a release that dealt an epoch's batches to steps otherwise")
                        + "; resume from a checkpoint at an epoch's end (remove the newer ones), or train anew");
            }
        }
    }

    @Override
    public Map<String, Object> info() {
        return master.info().isEmpty() ? Map.of() : Map.of("shared_gradients", master.info());
    }

    @Override
    public void close() throws Exception {
        try {
            if (stepOf != null) stepOf.destroy();
            master.close();
        } finally {
            data.close();
        }
    }
}
