package io.tributary.job.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How one epoch's batches are visited by DL4J's training masters ({@link Dl4jSteps}; Tributary's own
 * averaging rounds follow {@link ReplicaPlan}): DL4J's parameter averaging, {@link #of}; shared gradients
 * keep one order over all batches, {@link #global}: each partition's batches in a seeded order, cut into runs of
 * the same share for every step, so that a step takes that share from every partition (one partition
 * a worker) and the training master finds its workers' batches balanced where they are cached (no
 * shuffle between executors). A step is one call to DL4J's {@code fit}, after which progress is
 * reported and a checkpoint may be written; it holds a whole number of the training master's units
 * (see {@link TrainingMasters#batchesPerUnit}), except the epoch's last step, which takes what is left
 * (a partition that holds more batches than its share of the whole steps adds them there), and an
 * epoch has at most {@value #MAX_STEPS} steps.
 *
 * @param stepOfBatch for each batch number, the step it is trained in
 * @param steps       the number of steps
 */
public record EpochPlan(int[] stepOfBatch, int steps) {
    /** At most this many steps per epoch. */
    static final int MAX_STEPS = 20;
    /**
     * The version of how batches are dealt to steps, recorded in checkpoints: a mid-epoch checkpoint
     * of another version would resume with other batches in the steps still to come.
     */
    public static final int VERSION = 2;

    /**
     * @param offsets        the number of each partition's first batch (batches are numbered
     *                       partition by partition, {@code numBatches} in all)
     * @param batchesPerUnit batches of the training master's unit of work, over all workers (steps
     *                       are whole units)
     */
    public static EpochPlan of(int[] offsets, int numBatches, int batchesPerUnit, long seed, int epoch) {
        int batchesPerStep = batchesPerStep(numBatches, batchesPerUnit);
        int steps = Math.max(1, (numBatches + batchesPerStep - 1) / batchesPerStep);
        int share = Math.max(1, batchesPerStep / Math.max(1, offsets.length));   // each partition's batches a step
        int[] stepOf = new int[numBatches];
        for (int p = 0; p < offsets.length; p++) {
            int first = offsets[p];
            int n = (p + 1 < offsets.length ? offsets[p + 1] : numBatches) - first;
            int[] order = permutation(n, new Random((seed * 1_000_003L + epoch) * 31 + p));
            for (int pos = 0; pos < n; pos++) {
                stepOf[first + order[pos]] = Math.min(pos / share, steps - 1);
            }
        }
        return new EpochPlan(stepOf, steps);
    }

    /**
     * One seeded order over all batches, cut into consecutive steps, for a training master that
     * balances each step over its workers itself (shared gradients).
     */
    public static EpochPlan global(int numBatches, int batchesPerUnit, long seed, int epoch) {
        int batchesPerStep = batchesPerStep(numBatches, batchesPerUnit);
        int steps = Math.max(1, (numBatches + batchesPerStep - 1) / batchesPerStep);
        int[] order = permutation(numBatches, new Random(seed * 1_000_003L + epoch));
        int[] stepOf = new int[numBatches];
        for (int pos = 0; pos < numBatches; pos++) {
            stepOf[order[pos]] = pos / batchesPerStep;
        }
        return new EpochPlan(stepOf, steps);
    }

    /** Whole units a step, as few steps as {@value #MAX_STEPS} allow. */
    private static int batchesPerStep(int numBatches, int batchesPerUnit) {
        int units = Math.max(1, (numBatches + batchesPerUnit - 1) / batchesPerUnit);
        return (units + MAX_STEPS - 1) / MAX_STEPS * batchesPerUnit;
    }

    private static int[] permutation(int n, Random rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** The numbers of the batches in step {@code s}, in ascending order. */
    public List<Integer> batchesOf(int s) {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < stepOfBatch.length; id++) {
            if (stepOfBatch[id] == s) ids.add(id);
        }
        return ids;
    }
}
